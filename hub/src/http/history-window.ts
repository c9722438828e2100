import { ApiError } from "./api-errors.js";

/** Default width of a query window when `from` is not given: one hour. */
export const DEFAULT_WINDOW_MS = 3_600_000;
/** Buckets asked for when neither `points` nor `bucketMs` is given (about a chart's width). */
export const DEFAULT_HISTORY_POINTS = 300;

/**
 * Latest time a query may name: 2262-04-11T23:47:16.854Z, the last millisecond of InfluxDB's
 * nanosecond clock (JS Dates reach much further). Readings are never before the epoch (the
 * protocol's `ts` is non-negative), so `from` and `to` lie in `[0, MAX_QUERY_TIME_MS]`.
 */
export const MAX_QUERY_TIME_MS = 9_223_372_036_854;

/** Schema of `from` and `to` in query strings: integer ms within the range above. */
export const QUERY_TIME_SCHEMA = { type: "integer", minimum: 0, maximum: MAX_QUERY_TIME_MS } as const;

/** A time window `[from, to)` in ms since the epoch. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** `to` defaults to now, `from` to one hour before `to` (not before the epoch); `from` must be before `to`. */
export function resolveWindow(query: { from?: number; to?: number }, now: number): TimeWindow {
  const to = query.to ?? now;
  const from = query.from ?? Math.max(0, to - DEFAULT_WINDOW_MS);
  if (from >= to) throw new ApiError("TH_API_VALIDATION", "from must be before to", { from, to });
  return { from, to };
}

/**
 * The bucket width of a history query. With `bucketMs` given, the window must not hold more
 * than `maxPoints` buckets; otherwise `bucketMs = max(1, ceil((to − from) / points))`, which
 * yields at most `points` buckets.
 */
export function resolveBucketMs(window: TimeWindow, query: { points?: number; bucketMs?: number }, maxPoints: number): number {
  const span = window.to - window.from;
  if (query.bucketMs !== undefined) {
    const buckets = Math.ceil(span / query.bucketMs);
    if (buckets > maxPoints) {
      throw new ApiError("TH_API_VALIDATION", `bucketMs ${query.bucketMs} makes ${buckets} buckets; at most ${maxPoints} are allowed`, {
        buckets,
        maxHistoryPoints: maxPoints,
      });
    }
    return query.bucketMs;
  }
  const points = query.points ?? Math.min(DEFAULT_HISTORY_POINTS, maxPoints);
  return Math.max(1, Math.ceil(span / points));
}
