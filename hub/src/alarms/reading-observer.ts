import type { StoredReading } from "../storage/telemetry-store.js";

/**
 * What the device gateway tells alarm evaluation: readings once they are durable (after their
 * acknowledgement went out) and connection changes. Both only queue work: the caller never waits
 * for a rule.
 */
export interface ReadingObserver {
  /** Readings of a batch the store holds (newly stored, or a resend of one already stored). */
  readingsStored(deviceId: string, readings: readonly StoredReading[]): void;
  /** The device connected (after its welcome) or its connection ended, at `at` (hub time). */
  presenceChanged(deviceId: string, connected: boolean, at: number): void;
}
