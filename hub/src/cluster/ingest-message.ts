import { headers, type MsgHdrs } from "@nats-io/transport-node";
import type { StoredReading, TelemetryBatch } from "../storage/telemetry-store.js";

/** Header of an ingest message: the device's batch sequence number. */
export const SEQ_HEADER = "Telehub-Seq";
/** Header of an ingest message: the device's epoch (see `DeviceSequence`), absent for 0. */
export const EPOCH_HEADER = "Telehub-Epoch";

/** What an ingest message carries as JSON: the batch without the catalogue's `newMetrics` (kept in the bucket). */
interface IngestPayload {
  deviceId: string;
  seq: number;
  receivedAt: number;
  readings: StoredReading[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The `Nats-Msg-Id` of a device's batch: `<deviceId>:<seq>`, or `<deviceId>@<epoch>:<seq>` once
 * the device was forgotten (device ids never hold `@`), so that a device deleted and created
 * again within the duplicate window starts over at sequence 1 without its batches counting as
 * duplicates of the old device's.
 */
export function ingestMessageId(deviceId: string, seq: number, epoch: number): string {
  return epoch === 0 ? `${deviceId}:${seq}` : `${deviceId}@${epoch}:${seq}`;
}

/** Payload and headers of a batch's ingest message. */
export function encodeIngestMessage(batch: TelemetryBatch, epoch: number): { payload: Uint8Array; headers: MsgHdrs } {
  const body: IngestPayload = { deviceId: batch.deviceId, seq: batch.seq, receivedAt: batch.receivedAt, readings: batch.readings };
  const hdrs = headers();
  hdrs.set(SEQ_HEADER, String(batch.seq));
  if (epoch !== 0) hdrs.set(EPOCH_HEADER, String(epoch));
  return { payload: encoder.encode(JSON.stringify(body)), headers: hdrs };
}

/** The batch an ingest message carries. */
export function decodeIngestMessage(data: Uint8Array): TelemetryBatch {
  return JSON.parse(decoder.decode(data)) as IngestPayload;
}

/** The sequence number and epoch in an ingest message's headers. */
export function ingestHeaders(hdrs: MsgHdrs | undefined): { seq: number; epoch: number } {
  return { seq: Number(hdrs?.get(SEQ_HEADER) || 0), epoch: Number(hdrs?.get(EPOCH_HEADER) || 0) };
}
