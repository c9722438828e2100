import { formatValue } from "../charts/format";
import type { MetricValue } from "../live/live-types";

/** A metric's value as a tile or the list shows it: numbers formatted with the profile's unit and decimals, others as sent. */
export function metricText(value: MetricValue, unit?: string, decimals?: number): string {
  return typeof value === "number" ? formatValue(value, unit, decimals) : String(value);
}
