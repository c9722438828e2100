import { hubFetch, queryString } from "../api";

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

/** The most buckets the hub gives for one request (`api.maxHistoryPoints`' default). */
export const MAX_HISTORY_POINTS = 2_000;

/**
 * Downsampled history of one metric: the hub cuts `[from, to)` into at most `points` buckets,
 * so asking with the chart's width in pixels gets at most one bucket per pixel.
 */
export async function fetchHistory(deviceId: string, metric: string, from: number, to: number, points: number): Promise<History> {
  const query = queryString({ metric, from, to, points: Math.max(1, Math.min(MAX_HISTORY_POINTS, Math.round(points))) });
  const { json } = await hubFetch<History>(`/devices/${encodeURIComponent(deviceId)}/telemetry${query}`);
  return json;
}
