import type { BatchFrame } from "@telehub/device-client/protocol";
import type { TelemetryBatch } from "../storage/telemetry-store.js";

/**
 * A validated batch frame as the store takes it: timestamps become integer ms (Espruino's
 * `Date.now()` has a fraction), and readings without one get the hub's receive time.
 */
export function toTelemetryBatch(deviceId: string, frame: BatchFrame, receivedAt: number): TelemetryBatch {
  return {
    deviceId,
    seq: frame.seq,
    receivedAt,
    readings: frame.r.map((reading) => ({ ts: reading.ts === undefined ? receivedAt : Math.floor(reading.ts), metrics: reading.m })),
  };
}
