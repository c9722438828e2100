import type { TimeSeriesData } from "./series.js";

type Column = (number | null | undefined)[];

/** The median distance between consecutive samples (0 with fewer than two). */
function medianSpacing(times: number[]): number {
  const spacings: number[] = [];
  for (let i = 1; i < times.length; i++) spacings.push((times[i] as number) - (times[i - 1] as number));
  if (spacings.length === 0) return 0;
  spacings.sort((a, b) => a - b);
  return spacings[Math.floor(spacings.length / 2)] as number;
}

/**
 * How far apart two samples of one series may be and still be joined by a line: more than two
 * buckets (`bucketMs`) and more than three times the series' median spacing. Both, because a
 * device reporting every 5 s fills only one bucket in ten of a 500 ms-bucket history.
 */
export function gapThreshold(times: number[], bucketMs?: number): number {
  return Math.max(2 * (bucketMs ?? 0), 3 * medianSpacing(times));
}

/**
 * The data with a `null` wherever a series has a hole wider than {@link gapThreshold}, so the
 * chart draws a gap there instead of a straight line across it. A hole with no time of the axis
 * inside gets a new time (others have no sample there). `min`/`max` break with their series.
 */
export function withGaps(data: TimeSeriesData, bucketMs?: number): TimeSeriesData {
  const { ts } = data;
  const breaks = data.values.map(() => new Set<number>()); // per series: indices to set to null
  const inserts = new Map<number, Set<number>>(); // after index i: the series to break there
  data.values.forEach((column, series) => {
    const present: number[] = [];
    for (let i = 0; i < ts.length; i++) if (typeof column[i] === "number") present.push(i);
    const threshold = gapThreshold(
      present.map((i) => ts[i] as number),
      bucketMs,
    );
    if (threshold <= 0) return;
    for (let p = 1; p < present.length; p++) {
      const before = present[p - 1] as number;
      const after = present[p] as number;
      if ((ts[after] as number) - (ts[before] as number) <= threshold) continue;
      if (after - before > 1) breaks[series]?.add(before + 1);
      else {
        const at = inserts.get(before) ?? new Set<number>();
        at.add(series);
        inserts.set(before, at);
      }
    }
  });
  const out: TimeSeriesData = { ts: [], values: data.values.map(() => []) };
  if (data.min) out.min = data.min.map(() => []);
  if (data.max) out.max = data.max.map(() => []);
  const push = (i: number | undefined, broken: (series: number) => boolean) => {
    data.values.forEach((column, series) => {
      const value = broken(series) ? null : i === undefined ? undefined : column[i];
      out.values[series]?.push(value);
      out.min?.[series]?.push(broken(series) ? null : i === undefined ? undefined : data.min?.[series]?.[i]);
      out.max?.[series]?.push(broken(series) ? null : i === undefined ? undefined : data.max?.[series]?.[i]);
    });
  };
  for (let i = 0; i < ts.length; i++) {
    out.ts.push(ts[i] as number);
    push(i, (series) => breaks[series]?.has(i) === true);
    const inserted = inserts.get(i);
    if (inserted) {
      out.ts.push(Math.round(((ts[i] as number) + (ts[i + 1] as number)) / 2));
      push(undefined, (series) => inserted.has(series));
    }
  }
  return out;
}

/**
 * Indices of the samples of `column` with no neighbour to draw a line to (a single bucket, or
 * a sample between two gaps): the chart draws these as points, else they would not show.
 */
export function isolatedIndices(column: Column): number[] {
  const isolated: number[] = [];
  let previous: number | null | undefined; // the last entry that was not undefined
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    if (value === undefined) continue;
    if (typeof value === "number" && (previous === undefined || previous === null)) {
      let next: number | null | undefined;
      for (let j = i + 1; j < column.length && next === undefined; j++) next = column[j];
      if (next === undefined || next === null) isolated.push(i);
    }
    previous = value;
  }
  return isolated;
}

/** How many times the line of `column` breaks: runs of `null` with a sample on both sides. */
export function countBreaks(column: Column): number {
  let breaks = 0;
  let seenSample = false;
  let inGap = false;
  for (const value of column) {
    if (value === null) inGap = seenSample;
    else if (typeof value === "number") {
      if (inGap) breaks++;
      seenSample = true;
      inGap = false;
    }
  }
  return breaks;
}
