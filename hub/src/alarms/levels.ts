import type { MetricValue } from "@telehub/device-client/protocol";
import { type Level, type MetricCondition, type Severity, severityRank } from "./rule.js";

/** What a condition's levels compare: numbers, or the type of `equals`/`notEquals` values. */
export type ComparedType = "number" | "boolean" | "string";

/** The type a condition compares (a rate is always a number; `validateRule` keeps a rule's levels to one type). */
export function comparedType(condition: MetricCondition): ComparedType {
  if (condition.rate) return "number";
  const level = condition.levels[0];
  if (level && (level.op === "equals" || level.op === "notEquals")) return typeof level.value as ComparedType;
  return "number";
}

/** Whether `level` raises on `x`: its condition holds. */
export function raises(level: Level, x: MetricValue): boolean {
  switch (level.op) {
    case "above":
      return (x as number) > level.value;
    case "below":
      return (x as number) < level.value;
    case "outside":
      return (x as number) < level.low || (x as number) > level.high;
    case "inside":
      return (x as number) >= level.low && (x as number) <= level.high;
    case "equals":
      return x === level.value;
    case "notEquals":
      return x !== level.value;
  }
}

/**
 * Whether a held `level` lets go on `x`: it has gone back past the threshold by more than the
 * hysteresis. `above 80` with 5 lets go below 75 (the dead band [75, 80] keeps it: with
 * hysteresis 0, exactly 80 keeps it); `below 5` with 1 lets go above 6; `outside [10, 30]` with 2
 * lets go inside [12, 28]; `inside [10, 30]` with 2 lets go outside [8, 32]; `equals` and
 * `notEquals` let go as soon as they no longer hold.
 */
export function letsGo(level: Level, x: MetricValue): boolean {
  if (level.op === "equals" || level.op === "notEquals") return !raises(level, x);
  const v = x as number;
  const h = "hysteresis" in level ? (level.hysteresis ?? 0) : 0;
  switch (level.op) {
    case "above":
      return v < level.value - h;
    case "below":
      return v > level.value + h;
    case "outside":
      return v >= level.low + h && v <= level.high - h;
    case "inside":
      return v < level.low - h || v > level.high + h;
  }
}

const sorted = new WeakMap<readonly Level[], readonly Level[]>();

/** The levels, most severe first (sorted once per rule object: evaluation is on the hot path). */
export function bySeverity(levels: readonly Level[]): readonly Level[] {
  if (levels.length === 1) return levels;
  let result = sorted.get(levels);
  if (!result) {
    result = [...levels].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    sorted.set(levels, result);
  }
  return result;
}

/**
 * The observed level of `x` given the previously observed one: the most severe level that raises
 * on `x`, or that is not above `previous` and has not let go (the hysteresis dead band). null: none.
 */
export function observedLevel(levels: readonly Level[], x: MetricValue, previous: Severity | null): Severity | null {
  const previousRank = previous === null ? 0 : severityRank(previous);
  for (const level of bySeverity(levels)) {
    if (raises(level, x)) return level.severity;
    if (severityRank(level.severity) <= previousRank && !letsGo(level, x)) return level.severity;
  }
  return null;
}
