import { rateOf } from "../../charts/rate";
import type { TimeSeriesData } from "../../charts/series";
import type { History } from "../history";
import type { MetricSpec } from "./metric-spec";

/** A reading that arrived live, after the history was fetched. */
export interface LiveSample {
  ts: number;
  value: unknown;
}

/** What a chart knows of one metric: its fetched history and the live readings since. */
export interface MetricSource {
  history?: History;
  live: LiveSample[];
}

type Point = { ts: number; value: number | string | boolean | null; min?: number | null; max?: number | null };

/**
 * A counter's buckets as (time, total) samples for a rate. A bucket says its total (`last`) but
 * not when it was read: with `count` readings spread over the bucket, the last one is on average
 * half a spacing before its end. The newest bucket is left out when it holds clearly fewer
 * readings than the others (the data stopped, or the bucket is still filling): its total would
 * make the newest rate dip to a fraction of the real one.
 */
function counterPoints(history: History): Point[] {
  const buckets = history.data.filter((bucket) => typeof bucket.last === "number" && bucket.count > 0);
  const counts = buckets.map((bucket) => bucket.count).sort((a, b) => a - b);
  const usual = counts[Math.floor(counts.length / 2)] ?? 0;
  const newest = buckets[buckets.length - 1];
  if (newest && buckets.length > 2 && newest.count < 0.75 * usual) buckets.pop();
  return buckets.map((bucket) => ({
    ts: Math.round(bucket.ts + history.bucketMs - history.bucketMs / (2 * bucket.count)),
    value: bucket.last as number,
  }));
}

/** The metric's points, oldest first: the history's buckets, then the live readings newer than it. */
function pointsOf(spec: MetricSpec, source: MetricSource | undefined): Point[] {
  const history = source?.history;
  const points: Point[] = spec.kind === "counter" && history ? counterPoints(history) : [];
  for (const bucket of spec.kind === "counter" ? [] : (history?.data ?? [])) {
    if (spec.kind === "gauge") points.push({ ts: bucket.ts, value: bucket.mean, min: bucket.min, max: bucket.max });
    else if (typeof bucket.last === "string" || typeof bucket.last === "boolean") points.push({ ts: bucket.ts, value: bucket.last });
  }
  const after = history ? history.to : Number.NEGATIVE_INFINITY;
  for (const sample of source?.live ?? []) {
    if (sample.ts < after) continue;
    const { value } = sample;
    if (spec.kind === "state" ? typeof value === "string" || typeof value === "boolean" : typeof value === "number") {
      points.push({ ts: sample.ts, value: value as number | string | boolean, min: null, max: null });
    }
  }
  return points;
}

/** The times of every metric's points, sorted, each once. */
function unionOfTimes(all: Point[][]): number[] {
  const times = new Set<number>();
  for (const points of all) for (const p of points) times.add(p.ts);
  return [...times].sort((a, b) => a - b);
}

/** Whether any history bucket holds more than one reading (then the line is a mean, with a band). */
export function isAggregated(sources: readonly (MetricSource | undefined)[]): boolean {
  return sources.some((s) => s?.history?.data.some((bucket) => bucket.count > 1));
}

/**
 * The numeric metrics (gauges, counters as rates per second) on one time axis. A gauge gets a
 * min–max band when its history is aggregated; a metric with no point at a time is `undefined`
 * there (its line goes on).
 */
export function numericData(specs: readonly MetricSpec[], sources: readonly (MetricSource | undefined)[]): TimeSeriesData {
  const all = specs.map((spec, i) => {
    const points = pointsOf(spec, sources[i]);
    if (spec.kind !== "counter") return points;
    const rates = rateOf(
      points.map((p) => p.ts),
      points.map((p) => (typeof p.value === "number" ? p.value : null)),
    );
    return points.map((p, k): Point => ({ ts: p.ts, value: rates[k] ?? null }));
  });
  const ts = unionOfTimes(all);
  const index = new Map(ts.map((t, k) => [t, k]));
  const banded = specs.map((spec, i) => spec.kind === "gauge" && isAggregated([sources[i]]));
  const column = () => new Array<number | null | undefined>(ts.length).fill(undefined);
  const data: TimeSeriesData = { ts, values: specs.map(column), min: specs.map(column), max: specs.map(column) };
  all.forEach((points, i) => {
    for (const p of points) {
      const k = index.get(p.ts) as number;
      (data.values[i] as (number | null | undefined)[])[k] = typeof p.value === "number" ? p.value : null;
      if (banded[i]) {
        // A live reading inside a band is its own low and high.
        (data.min?.[i] as (number | null | undefined)[])[k] = p.min ?? (typeof p.value === "number" ? p.value : null);
        (data.max?.[i] as (number | null | undefined)[])[k] = p.max ?? (typeof p.value === "number" ? p.value : null);
      }
    }
  });
  if (!banded.some(Boolean)) {
    delete data.min;
    delete data.max;
  } else {
    banded.forEach((b, i) => {
      if (!b && data.min && data.max) data.min[i] = data.max[i] = [];
    });
  }
  return data;
}

/** The state metrics (booleans, strings) on one time axis, for a state timeline. */
export function stateData(
  specs: readonly MetricSpec[],
  sources: readonly (MetricSource | undefined)[],
): { ts: number[]; values: (string | boolean | null | undefined)[][] } {
  const all = specs.map((spec, i) => pointsOf(spec, sources[i]));
  const ts = unionOfTimes(all);
  const index = new Map(ts.map((t, k) => [t, k]));
  const values = all.map((points) => {
    const column = new Array<string | boolean | null | undefined>(ts.length).fill(undefined);
    for (const p of points) column[index.get(p.ts) as number] = typeof p.value === "number" ? null : p.value;
    return column;
  });
  return { ts, values };
}
