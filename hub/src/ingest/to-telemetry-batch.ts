import type { BatchFrame } from "@telehub/device-client/protocol";
import type { TelemetryBatch } from "../storage/telemetry-store.js";

/**
 * A validated batch frame as the store takes it: timestamps become integer ms (Espruino's
 * `Date.now()` has a fraction); readings without one take stamps from `firstStamp` on, 1 ms
 * apart, in batch order (see `ReadingClock`).
 */
export function toTelemetryBatch(deviceId: string, frame: BatchFrame, receivedAt: number, firstStamp: number): TelemetryBatch {
  let stamp = firstStamp;
  return {
    deviceId,
    seq: frame.seq,
    receivedAt,
    readings: frame.r.map((reading) => ({ ts: reading.ts === undefined ? stamp++ : Math.floor(reading.ts), metrics: reading.m })),
  };
}
