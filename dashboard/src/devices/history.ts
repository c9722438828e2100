import { hubFetch, queryString } from "../api";
import type { ChartPoint } from "../charts/LineChart";

/** One bucket of `GET /devices/:id/telemetry`. */
export interface HistoryBucket {
  ts: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  last: unknown;
  count: number;
}

export interface History {
  metric: string;
  from: number;
  to: number;
  bucketMs: number;
  data: HistoryBucket[];
}

/**
 * Downsampled history of one metric: the hub cuts `[from, to)` into at most `points` buckets,
 * so asking with the chart's width in pixels gets at most one bucket per pixel.
 */
export async function fetchHistory(deviceId: string, metric: string, from: number, to: number, points: number): Promise<History> {
  const query = queryString({ metric, from, to, points: Math.max(1, Math.min(2_000, Math.round(points))) });
  const { json } = await hubFetch<History>(`/devices/${encodeURIComponent(deviceId)}/telemetry${query}`);
  return json;
}

/** Chart points of the numeric buckets (mean, with the min–max band). */
export function chartPointsOf(history: History): ChartPoint[] {
  return history.data
    .filter((bucket) => bucket.mean !== null)
    .map((bucket) => ({ ts: bucket.ts, value: bucket.mean as number, min: bucket.min ?? undefined, max: bucket.max ?? undefined }));
}
