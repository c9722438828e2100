import type { BatchFrame } from "@telehub/device-client/protocol";
import type { HubConfig } from "../config/hub-config.js";
import type { TelemetryBatch } from "../storage/telemetry-store.js";
import { MetricCatalogue } from "./metric-catalogue.js";
import { ReadingClock } from "./reading-clock.js";
import { checkSameTimestamps } from "./same-timestamp.js";
import { checkTimestampWindow } from "./timestamp-window.js";
import { toTelemetryBatch } from "./to-telemetry-batch.js";

/**
 * What a validated batch goes through before it is queued for the store and published live,
 * in this order: the timestamp window, stamps for clockless readings, the same-`ts` rule, and
 * the metric catalogue (types and cardinality). Each refusal is a `ProtocolError` with the
 * batch's seq; a refused batch leaves no trace (no stamps taken, no metrics claimed).
 */
export class BatchAdmission {
  readonly catalogue: MetricCatalogue;
  private readonly clock = new ReadingClock();

  constructor(private readonly limits: HubConfig["ingest"]) {
    this.catalogue = new MetricCatalogue(limits);
  }

  /** The batch the store is to take; throws the refusal. */
  admit(deviceId: string, frame: BatchFrame, receivedAt: number): TelemetryBatch {
    const clockless = checkTimestampWindow(frame, receivedAt, this.limits);
    const firstStamp = clockless > 0 ? this.clock.next(deviceId, receivedAt) : receivedAt;
    const batch = toTelemetryBatch(deviceId, frame, receivedAt, firstStamp);
    checkSameTimestamps(batch);
    this.catalogue.admit(batch);
    if (clockless > 0) this.clock.taken(deviceId, firstStamp + clockless - 1, receivedAt);
    return batch;
  }

  /** An admitted batch could not be made durable: release what it claimed. */
  failed(batch: TelemetryBatch): void {
    this.catalogue.release(batch);
  }

  /** The device and its telemetry were deleted. */
  forgetDevice(deviceId: string): void {
    this.catalogue.forgetDevice(deviceId);
  }
}
