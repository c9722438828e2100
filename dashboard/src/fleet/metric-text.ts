import type { MetricValue } from "../live/live-types";

// Until dashboard/src/charts/format.ts lands: the number with its decimals and the unit after it.
function formatValue(value: number, unit?: string, decimals?: number): string {
  const text = decimals !== undefined ? value.toFixed(decimals) : Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

/** A metric's value as a tile shows it: numbers formatted with the profile's unit and decimals, others as sent. */
export function metricText(value: MetricValue, unit?: string, decimals?: number): string {
  return typeof value === "number" ? formatValue(value, unit, decimals) : String(value);
}
