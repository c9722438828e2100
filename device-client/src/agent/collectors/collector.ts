import type { MetricValue } from "../../protocol/index.js";

/** Metric name → value, as one collector measured them. */
export type CollectedMetrics = Record<string, MetricValue>;

/** One source of metrics, asked once per round. */
export interface Collector {
  /** Shown in logs (`thermal`, `custom:ups`, …). */
  readonly name: string;
  /** Measure now. Rejecting skips this collector for the round; the others still count. */
  collect(): Promise<CollectedMetrics>;
}

/** Makes a name fit metric names: anything outside `A-Za-z0-9_.-` becomes `_`. */
export function metricPart(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `x${cleaned}`;
}
