import type { MetricValue } from "@telehub/device-client/protocol";
import type { Level, MetricCondition, NoDataCondition } from "./rule.js";

const UNITS: readonly [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/** A duration in operator words: `5 min`, `1 h 30 min`, `90 ms`, `0 s`. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join(" ") : "0 s";
}

/** A number rounded to 6 significant digits (a rate's float noise left out), other values as JSON. */
function formatValue(value: MetricValue): string {
  if (typeof value === "number") return String(Number.isInteger(value) ? value : Number.parseFloat(value.toPrecision(6)));
  return JSON.stringify(value);
}

const RATE_UNIT = { second: "s", minute: "min", hour: "h" } as const;

/** The compared quantity: the value, or the rate as `rising 3.2/min`. */
function formatCompared(condition: MetricCondition, x: MetricValue): string {
  if (!condition.rate || typeof x !== "number") return formatValue(x);
  return `${x < 0 ? "falling" : "rising"} ${formatValue(Math.abs(x))}/${RATE_UNIT[condition.rate.per]}`;
}

function formatLevel(level: Level): string {
  switch (level.op) {
    case "above":
    case "below":
      return `${level.op} ${formatValue(level.value)}`;
    case "outside":
    case "inside":
      return `${level.op} ${formatValue(level.low)} to ${formatValue(level.high)}`;
    case "equals":
      return `equals ${formatValue(level.value)}`;
    case "notEquals":
      return `not equal to ${formatValue(level.value)}`;
  }
}

/** `temperature 92.4 above 90 for 5 min`, `door equals "open"`, `temperature rising 3.2/min above 2`. */
export function levelMessage(condition: MetricCondition, level: Level, x: MetricValue): string {
  const held = condition.forMs > 0 ? ` for ${formatDuration(condition.forMs)}` : "";
  if (level.op === "equals") return `${condition.metric} ${formatLevel(level)}${held}`;
  return `${condition.metric} ${formatCompared(condition, x)} ${formatLevel(level)}${held}`;
}

/** `temperature back to 72.1`, `temperature back to rising 0.4/min`. */
export function backToMessage(condition: MetricCondition, x: MetricValue | null): string {
  return x === null ? `${condition.metric} back to normal` : `${condition.metric} back to ${formatCompared(condition, x)}`;
}

/** `no data from temperature for 10 min`, `no data for 10 min`. */
export function noDataMessage(condition: NoDataCondition): string {
  return `no data${condition.metric === undefined ? "" : ` from ${condition.metric}`} for ${formatDuration(condition.afterMs)}`;
}

export const DATA_AGAIN = "data again";
export const ONLINE_AGAIN = "online again";

/** `offline for 10 min`. */
export function offlineMessage(afterMs: number): string {
  return `offline for ${formatDuration(afterMs)}`;
}
