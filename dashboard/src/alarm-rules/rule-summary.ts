import type { ClearPolicy, Condition, Level, RuleScope } from "@telehub/hub";
import { formatDuration } from "../charts/format";
import { matchValueText } from "./rule-form";

/** "5 min", "1 h 30 min"; "0" reads "at once" where a duration is a wait. */
const duration = (ms: number) => formatDuration(ms);

/** A level in words: "above 90", "outside 10–30", "equals open". */
export function levelText(level: Level, unit?: string): string {
  const u = unit ? ` ${unit}` : "";
  switch (level.op) {
    case "equals":
      return `equals ${matchValueText(level.value)}`;
    case "notEquals":
      return `not equal to ${matchValueText(level.value)}`;
    case "outside":
    case "inside":
      return `${level.op} ${level.low}–${level.high}${u}`;
    default:
      return `${level.op} ${level.value}${u}`;
  }
}

/** The condition in words: "temperature above 90 (critical), above 70 (warning) for 5 min", "no data for 10 min", "offline for 10 min". */
export function conditionText(condition: Condition): string {
  if (condition.kind === "offline") return `offline for ${duration(condition.afterMs)}`;
  if (condition.kind === "noData")
    return `no data${condition.metric ? ` from ${condition.metric}` : ""} for ${duration(condition.afterMs)}`;
  const subject = condition.rate
    ? `${condition.metric} change per ${condition.rate.per} (over ${duration(condition.rate.windowMs)})`
    : condition.metric;
  const levels = condition.levels.map((level) => `${levelText(level)} (${level.severity})`).join(", ");
  return `${subject} ${levels}${condition.forMs > 0 ? ` for ${duration(condition.forMs)}` : ""}`;
}

/** Which devices: "device th-1", "profile thermostat", "labels site=north, floor=2". */
export function scopeText(scope: RuleScope): string {
  if (scope.kind === "device") return `device ${scope.deviceId}`;
  if (scope.kind === "profile") return `profile ${scope.profileId}`;
  return `labels ${Object.entries(scope.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ")}`;
}

/** How an alarm ends: "clears itself after 5 min quiet", "clears itself at once", "cleared by people only". */
export function clearText(clear: ClearPolicy): string {
  if (clear.mode === "manual") return "cleared by people only";
  return clear.quietMs > 0 ? `clears itself after ${duration(clear.quietMs)} quiet` : "clears itself at once";
}
