import { METRIC_NAME_PATTERN } from "@telehub/device-client/protocol";
import type { Condition, Level, MetricCondition, RuleDefinition } from "./rule.js";

/** The fixed limits of a rule definition (docs/api.md, "Alarm rules"). */
export const RULE_LIMITS = {
  maxNameLength: 100,
  maxDescriptionLength: 1000,
  maxLevels: 4,
  maxMetricNameLength: 256,
  /** Every duration (forMs, afterMs, quietMs, reRaiseAfterMs, rate.windowMs): 30 days. */
  maxDurationMs: 30 * 24 * 3_600_000,
} as const;

/** A rule that breaks a rule between its fields: where (`condition.levels[1].low`) and why. */
export interface RuleProblem {
  field: string;
  message: string;
}

class Refusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function refuse(field: string, message: string): never {
  throw new Refusal(field, message);
}

/** Fields that belong to one kind only: present on another kind they are refused. */
const CONDITION_FIELDS: Record<Condition["kind"], readonly string[]> = {
  metric: ["kind", "metric", "rate", "levels", "forMs"],
  noData: ["kind", "metric", "afterMs", "severity"],
  offline: ["kind", "afterMs", "severity"],
};
const SCOPE_FIELDS = { device: "deviceId", profile: "profileId", labels: "labels" } as const;

function checkOnly(object: object, allowed: readonly string[], at: string, what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) refuse(`${at}.${key}`, `not used by ${what}`);
  }
}

function checkDuration(value: number | undefined, field: string, min = 0): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > RULE_LIMITS.maxDurationMs) {
    refuse(field, `must be an integer from ${min} to ${RULE_LIMITS.maxDurationMs} ms (30 days)`);
  }
}

function checkMetricName(name: string | undefined, field: string): void {
  if (name === undefined) return;
  if (name.length === 0 || name.length > RULE_LIMITS.maxMetricNameLength || !METRIC_NAME_PATTERN.test(name)) {
    refuse(field, `a metric name: 1–${RULE_LIMITS.maxMetricNameLength} of A-Z a-z 0-9 _ . - /, starting with a letter or digit`);
  }
}

/** The JSON type every level of a condition compares: numbers for thresholds and ranges. */
export function levelValueType(level: Level): "number" | "boolean" | "string" {
  if (level.op === "equals" || level.op === "notEquals") return typeof level.value as "number" | "boolean" | "string";
  return "number";
}

function checkLevel(level: Level, at: string, rate: boolean): void {
  const finite = (value: unknown, field: string) => {
    if (typeof value !== "number" || !Number.isFinite(value)) refuse(`${at}.${field}`, "must be a number");
  };
  switch (level.op) {
    case "above":
    case "below":
      checkOnly(level, ["severity", "op", "value", "hysteresis"], at, `op ${level.op}`);
      finite(level.value, "value");
      break;
    case "outside":
    case "inside":
      checkOnly(level, ["severity", "op", "low", "high", "hysteresis"], at, `op ${level.op}`);
      finite(level.low, "low");
      finite(level.high, "high");
      if (level.low >= level.high) refuse(`${at}.low`, `low ${level.low} must be below high ${level.high}`);
      break;
    case "equals":
    case "notEquals":
      checkOnly(level, ["severity", "op", "value"], at, `op ${level.op}`);
      if (rate) refuse(`${at}.op`, `${level.op} compares values, not a rate of change`);
      if (typeof level.value === "number") finite(level.value, "value");
      return;
  }
  const hysteresis = level.hysteresis ?? 0;
  if (!Number.isFinite(hysteresis) || hysteresis < 0) refuse(`${at}.hysteresis`, "must be 0 or more");
  if ((level.op === "outside" || level.op === "inside") && hysteresis >= (level.high - level.low) / 2) {
    refuse(`${at}.hysteresis`, `must be less than half the range (${(level.high - level.low) / 2})`);
  }
}

function checkMetricCondition(condition: MetricCondition): void {
  checkMetricName(condition.metric, "condition.metric");
  checkDuration(condition.forMs, "condition.forMs");
  if (condition.rate) checkDuration(condition.rate.windowMs, "condition.rate.windowMs", 1);
  const { levels } = condition;
  if (levels.length < 1 || levels.length > RULE_LIMITS.maxLevels) refuse("condition.levels", `1 to ${RULE_LIMITS.maxLevels} levels`);
  const seen = new Set<string>();
  for (const [i, level] of levels.entries()) {
    const at = `condition.levels[${i}]`;
    if (seen.has(level.severity)) refuse(`${at}.severity`, `severity ${level.severity} is used by another level`);
    seen.add(level.severity);
    checkLevel(level, at, condition.rate !== undefined);
    const type = levelValueType(level);
    const first = levelValueType(levels[0]!);
    if (type !== first) refuse(`${at}.value`, `compares a ${type}, the first level a ${first}: a rule's levels compare one type`);
  }
}

function check(definition: RuleDefinition): void {
  const name = definition.name.trim();
  if (name.length === 0 || definition.name.length > RULE_LIMITS.maxNameLength) {
    refuse("name", `1 to ${RULE_LIMITS.maxNameLength} characters, not only spaces`);
  }
  if ((definition.description?.length ?? 0) > RULE_LIMITS.maxDescriptionLength) {
    refuse("description", `at most ${RULE_LIMITS.maxDescriptionLength} characters`);
  }

  const { scope } = definition;
  checkOnly(scope, ["kind", SCOPE_FIELDS[scope.kind]], "scope", `scope kind ${scope.kind}`);
  if (scope.kind === "labels" && Object.keys(scope.labels).length === 0) refuse("scope.labels", "at least one label");

  const { condition } = definition;
  checkOnly(condition, CONDITION_FIELDS[condition.kind], "condition", `condition kind ${condition.kind}`);
  if (condition.kind === "metric") checkMetricCondition(condition);
  else {
    checkDuration(condition.afterMs, "condition.afterMs", 1);
    if (condition.kind === "noData") checkMetricName(condition.metric, "condition.metric");
  }

  const { clear } = definition;
  if (clear.mode === "auto") checkDuration(clear.quietMs, "clear.quietMs");
  else checkOnly(clear, ["mode"], "clear", "clear mode manual");
  checkDuration(definition.reRaiseAfterMs, "reRaiseAfterMs");
}

/**
 * Check what the JSON schema cannot say: 1–4 levels of distinct severities comparing one type,
 * `low` < `high`, `hysteresis` ≥ 0 and under half a range, `equals`/`notEquals` not on a rate,
 * every duration an integer up to 30 days (`afterMs` and `rate.windowMs` at least 1), a labels scope
 * with at least one label, a name of 1–100 characters, metric names by the protocol's rule, and no
 * field that the kind does not use. Answers the first problem, or undefined.
 */
export function validateRule(definition: RuleDefinition): RuleProblem | undefined {
  try {
    check(definition);
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return { field: error.field, message: error.message };
    throw error;
  }
}
