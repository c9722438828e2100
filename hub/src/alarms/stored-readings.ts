import type { MetricValue } from "@telehub/device-client/protocol";
import type { StoredReading, TelemetryStore } from "../storage/telemetry-store.js";
import type { EvaluationState } from "./evaluation-state.js";

/** The catch-up's end when readings may be stamped any time ahead (`ingest.maxFutureMs` 0). */
const FAR_FUTURE_MS = 366 * 86_400_000;

/**
 * What a start replays for a device: from just after the oldest watermark of its saved states (or
 * the start of a state that evaluated nothing yet), at most `maxCatchUpMs` back from `now`, to the
 * latest time a reading may be stamped. Undefined without saved states.
 */
export function catchUpRange(
  saved: readonly EvaluationState[],
  now: number,
  maxCatchUpMs: number,
  maxFutureMs: number,
): { from: number; to: number } | undefined {
  if (saved.length === 0) return undefined;
  let from = Number.POSITIVE_INFINITY;
  for (const state of saved) from = Math.min(from, state.watermark === null ? state.since : state.watermark + 1);
  return { from: Math.max(from, now - maxCatchUpMs), to: now + (maxFutureMs > 0 ? maxFutureMs : FAR_FUTURE_MS) + 1 };
}

/**
 * A device's stored readings over `[from, to)`, oldest first, read back page by page (the values of
 * one timestamp form one reading): what the engine replays at start. `metrics` undefined: every metric.
 */
export async function* storedReadings(
  telemetry: TelemetryStore,
  query: { deviceId: string; metrics: readonly string[] | undefined; from: number; to: number },
  pageSize: number,
): AsyncGenerator<StoredReading> {
  let from = query.from;
  for (;;) {
    const points = await telemetry.raw({ deviceId: query.deviceId, metrics: query.metrics, from, to: query.to, limit: pageSize });
    const full = points.length === pageSize;
    // A full page may end inside a timestamp's values: that timestamp is read again with the next page.
    const lastTs = points[points.length - 1]?.ts;
    const end = full && lastTs !== undefined && points[0]?.ts !== lastTs ? points.findIndex((point) => point.ts === lastTs) : points.length;
    let reading: { ts: number; metrics: Record<string, MetricValue> } | undefined;
    for (let i = 0; i < end; i++) {
      const point = points[i];
      if (point === undefined) break;
      if (reading?.ts !== point.ts) {
        if (reading) yield reading;
        reading = { ts: point.ts, metrics: {} };
      }
      reading.metrics[point.metric] = point.value;
    }
    if (reading) yield reading;
    if (!full || lastTs === undefined) return;
    // One timestamp filling a whole page: its remaining values are skipped rather than read forever.
    from = end === points.length ? lastTs + 1 : lastTs;
  }
}
