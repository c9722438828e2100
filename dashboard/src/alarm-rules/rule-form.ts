import type { AlarmRule, Condition, Level, RuleDefinition, RuleScope, Severity } from "@telehub/hub";
import { durationText, parseDuration } from "./duration";

/** Durations a rule may hold (the hub refuses more: `RULE_LIMITS`). */
export const MAX_RULE_DURATION_MS = 30 * 86_400_000;

/** One severity level as its row of inputs edits it. */
export interface LevelRow {
  severity?: Severity;
  op?: Level["op"];
  /** `above`/`below`: a number; `equals`/`notEquals`: text read by {@link parseMatchValue}. */
  value?: number | string | null;
  low?: number | null;
  high?: number | null;
  hysteresis?: number | null;
}

/**
 * The rule form's values. What the inputs cannot hold as such is text: durations ("5 min"), an
 * equals value (`true`, `42`, `open`). Each condition kind keeps its own inputs, so switching the
 * kind back and forth loses nothing typed.
 */
export interface RuleFormValues {
  name: string;
  description?: string;
  enabled: boolean;
  scopeKind: RuleScope["kind"];
  deviceId?: string;
  profileId?: string;
  labels?: Record<string, string>;
  conditionKind: Condition["kind"];
  metric?: string;
  useRate: boolean;
  rateWindow?: string;
  ratePer: "second" | "minute" | "hour";
  levels: LevelRow[];
  forText: string;
  /** No data from this metric (empty: from any metric). */
  noDataMetric?: string;
  afterText: string;
  severity: Severity;
  clearMode: "auto" | "manual";
  quietText: string;
  reRaiseText: string;
}

/** What a new rule starts with: at once (no duration), clears itself at once, re-raised after 15 min. */
export function newRuleValues(): RuleFormValues {
  return {
    name: "",
    enabled: true,
    scopeKind: "profile",
    conditionKind: "metric",
    useRate: false,
    rateWindow: "5 min",
    ratePer: "minute",
    levels: [{ severity: "warning", op: "above" }],
    forText: "0",
    afterText: "10 min",
    severity: "major",
    clearMode: "auto",
    quietText: "0",
    reRaiseText: "15 min",
  };
}

/** `true`/`false` → boolean, a number → number, `"quoted"` → that string, anything else → the text itself. */
export function parseMatchValue(text: string | number | null | undefined): string | number | boolean {
  if (typeof text === "number") return text;
  const trimmed = (text ?? "").trim();
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  if (trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  const quoted = /^"(.*)"$/.exec(trimmed);
  return quoted ? (quoted[1] as string) : trimmed;
}

/** The text an equals value is typed as: strings that would read as a number or boolean are quoted. */
export function matchValueText(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return parseMatchValue(value) === value ? value : `"${value}"`;
}

function rowOf(level: Level): LevelRow {
  switch (level.op) {
    case "equals":
    case "notEquals":
      return { severity: level.severity, op: level.op, value: matchValueText(level.value) };
    case "outside":
    case "inside":
      return { severity: level.severity, op: level.op, low: level.low, high: level.high, hysteresis: level.hysteresis ?? null };
    default:
      return { severity: level.severity, op: level.op, value: level.value, hysteresis: level.hysteresis ?? null };
  }
}

/** The form's values for a stored rule. */
export function toFormValues(rule: AlarmRule): RuleFormValues {
  const values: RuleFormValues = {
    ...newRuleValues(),
    name: rule.name,
    description: rule.description ?? "",
    enabled: rule.enabled,
    scopeKind: rule.scope.kind,
    conditionKind: rule.condition.kind,
    clearMode: rule.clear.mode,
    quietText: rule.clear.mode === "auto" ? durationText(rule.clear.quietMs) : "0",
    reRaiseText: durationText(rule.reRaiseAfterMs),
  };
  if (rule.scope.kind === "device") values.deviceId = rule.scope.deviceId;
  if (rule.scope.kind === "profile") values.profileId = rule.scope.profileId;
  if (rule.scope.kind === "labels") values.labels = rule.scope.labels;
  const condition = rule.condition;
  if (condition.kind === "metric") {
    values.metric = condition.metric;
    values.useRate = condition.rate !== undefined;
    if (condition.rate) {
      values.rateWindow = durationText(condition.rate.windowMs);
      values.ratePer = condition.rate.per;
    }
    values.levels = condition.levels.map(rowOf);
    values.forText = durationText(condition.forMs);
  } else {
    values.afterText = durationText(condition.afterMs);
    values.severity = condition.severity;
    if (condition.kind === "noData") values.noDataMetric = condition.metric ?? "";
  }
  return values;
}

const text = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};
const num = (value: number | string | null | undefined): number =>
  value === null || value === undefined || value === "" ? Number.NaN : Number(value);
/** A duration input's milliseconds; NaN when it is not one (the hub then names the field). */
const ms = (value: string | undefined): number => parseDuration(value) ?? Number.NaN;

function levelOf(row: LevelRow): Level {
  const severity = row.severity ?? "warning";
  const op = row.op ?? "above";
  const hysteresis =
    row.hysteresis === null || row.hysteresis === undefined || (row.hysteresis as unknown) === "" ? undefined : num(row.hysteresis);
  if (op === "equals" || op === "notEquals") return { severity, op, value: parseMatchValue(row.value) };
  if (op === "outside" || op === "inside")
    return { severity, op, low: num(row.low), high: num(row.high), ...(hysteresis !== undefined && { hysteresis }) };
  return { severity, op, value: num(row.value), ...(hysteresis !== undefined && { hysteresis }) };
}

function scopeOf(values: RuleFormValues): RuleScope {
  if (values.scopeKind === "device") return { kind: "device", deviceId: text(values.deviceId) ?? "" };
  if (values.scopeKind === "profile") return { kind: "profile", profileId: text(values.profileId) ?? "" };
  return { kind: "labels", labels: Array.isArray(values.labels) ? {} : (values.labels ?? {}) };
}

function conditionOf(values: RuleFormValues): Condition {
  if (values.conditionKind === "offline") return { kind: "offline", afterMs: ms(values.afterText), severity: values.severity };
  if (values.conditionKind === "noData") {
    const metric = text(values.noDataMetric);
    return { kind: "noData", ...(metric && { metric }), afterMs: ms(values.afterText), severity: values.severity };
  }
  return {
    kind: "metric",
    metric: text(values.metric) ?? "",
    ...(values.useRate && { rate: { windowMs: ms(values.rateWindow), per: values.ratePer } }),
    levels: (values.levels ?? []).map(levelOf),
    forMs: ms(values.forText),
  };
}

/** The definition `POST /alarm-rules` and `PUT /alarm-rules/:id` take, from the form's values. */
export function toDefinition(values: RuleFormValues): RuleDefinition {
  const description = text(values.description);
  return {
    name: text(values.name) ?? "",
    ...(description && { description }),
    enabled: values.enabled !== false,
    scope: scopeOf(values),
    condition: conditionOf(values),
    clear: values.clearMode === "manual" ? { mode: "manual" } : { mode: "auto", quietMs: ms(values.quietText) },
    reRaiseAfterMs: ms(values.reRaiseText),
  };
}

/**
 * The form input of a field the hub names in a `TH_API_RULE_INVALID` refusal
 * (`condition.levels[1].hysteresis` → `levels.1.hysteresis`, `scope.deviceId` → `deviceId`,
 * `clear.quietMs` → `quietText`); undefined for a field the form has no input for.
 */
export function formFieldOf(field: string, values: Pick<RuleFormValues, "conditionKind">): string | undefined {
  const path = field
    .replace(/^\//, "")
    .replace(/\//g, ".")
    .replace(/\[(\d+)\]/g, ".$1");
  const level = /^condition\.levels\.(\d+)\.(severity|op|value|low|high|hysteresis)/.exec(path);
  if (level) return `levels.${level[1]}.${level[2]}`;
  if (/^condition\.levels/.test(path)) return "levels";
  const fixed: Record<string, string> = {
    name: "name",
    description: "description",
    "scope.deviceId": "deviceId",
    "scope.profileId": "profileId",
    "scope.labels": "labels",
    "condition.forMs": "forText",
    "condition.rate": "rateWindow",
    "condition.rate.windowMs": "rateWindow",
    "condition.rate.per": "ratePer",
    "condition.afterMs": "afterText",
    "condition.severity": "severity",
    "clear.quietMs": "quietText",
    reRaiseAfterMs: "reRaiseText",
  };
  if (path === "condition.metric") return values.conditionKind === "noData" ? "noDataMetric" : "metric";
  for (const [prefix, input] of Object.entries(fixed)) if (path === prefix || path.startsWith(`${prefix}.`)) return input;
  return undefined;
}
