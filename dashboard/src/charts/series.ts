/** One line of a time-series chart. */
export interface SeriesSpec {
  /** Stable identity (the metric name). */
  key: string;
  /** What the tooltip calls it (the metric's display name). */
  label: string;
  /** The unit of the values drawn (for a counter charted as a rate: the rate's unit, e.g. "B/s"). */
  unit?: string;
  /** Digits after the point in the tooltip; default: about three significant digits. */
  decimals?: number;
  kind: "gauge" | "counter";
  /** CSS colour; default: the chart palette's next colour. */
  color?: string;
}

/**
 * The points of a chart, aligned on one time axis: `values[i][k]` is series i at `ts[k]` (ms).
 * `null` is a gap (the line stops); `undefined` is "no sample of this series at this time"
 * (the line goes on to the series' next sample). `min`/`max`, when given, are the low and high
 * of each aggregated bucket, shaded as a band around the line.
 */
export interface TimeSeriesData {
  ts: number[];
  values: (number | null | undefined)[][];
  min?: (number | null | undefined)[][];
  max?: (number | null | undefined)[][];
}

/** Line colours, readable on a light and on a dark background. */
export const PALETTE = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00acc1", "#c0ca33", "#6d4c41"] as const;

/** The colour of series `index`: its own, else the palette's. */
export function colorOf(spec: SeriesSpec, index: number): string {
  return spec.color ?? PALETTE[index % PALETTE.length] ?? PALETTE[0];
}

/** The unit of a counter's rate: "B" → "B/s", no unit → "/s". */
export function rateUnit(unit: string | undefined): string {
  return `${unit ?? ""}/s`;
}
