import { type BatchFrame, ProtocolError } from "@telehub/device-client/protocol";

/** How far from the hub's clock a reading's `ts` may be (`ingest.*`); 0 switches a side off. */
export interface TimestampWindow {
  /** Ms ahead of the hub's clock. */
  maxFutureMs: number;
  /** Ms behind the hub's clock. */
  maxPastMs: number;
}

/**
 * Refuse a batch with a reading whose `ts` lies outside the window around the hub's clock
 * (`TH_TIMESTAMP_OUT_OF_RANGE`, with the batch's seq): a point years ahead would stay the
 * "latest" value forever, and one far in the past may be beyond the store's retention.
 * The bounds themselves are inside. Answers how many readings have no `ts` (the hub stamps them).
 */
export function checkTimestampWindow(frame: BatchFrame, now: number, window: TimestampWindow): number {
  const { maxFutureMs, maxPastMs } = window;
  const latest = maxFutureMs > 0 ? now + maxFutureMs : Number.POSITIVE_INFINITY;
  const earliest = maxPastMs > 0 ? now - maxPastMs : Number.NEGATIVE_INFINITY;
  const readings = frame.r;
  let clockless = 0;
  for (let i = 0; i < readings.length; i++) {
    const ts = (readings[i] as BatchFrame["r"][number]).ts;
    if (ts === undefined) {
      clockless++;
      continue;
    }
    const ms = Math.floor(ts);
    if (ms <= latest && ms >= earliest) continue;
    const from = maxPastMs > 0 ? `${earliest} (maxPastMs ${maxPastMs} before)` : "any time";
    const to = maxFutureMs > 0 ? `${latest} (maxFutureMs ${maxFutureMs} after)` : "any time";
    throw new ProtocolError(
      "TH_TIMESTAMP_OUT_OF_RANGE",
      `reading ${i}: ts ${ms} is outside the accepted window around the hub's clock ${now}: from ${from} to ${to}`,
      { seq: frame.seq },
    );
  }
  return clockless;
}
