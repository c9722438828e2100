import type { MetricValue } from "@telehub/device-client/protocol";

/**
 * One device's readings for the rule, oldest first: their stamps, and the rule's metric's values
 * (absent: `anyReading` inputs, for a no-data rule on any metric).
 */
export interface ReadingSeries {
  readonly ts: readonly number[];
  readonly values?: readonly MetricValue[];
  /** How many readings: the first `count` of the arrays (reused buffers may be longer); default `ts.length`. */
  readonly count?: number;
}

/** The index of a series' last reading (-1: empty). */
export const lastIndex = (series: ReadingSeries): number => (series.count ?? series.ts.length) - 1;
