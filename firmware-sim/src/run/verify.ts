import { inBatches, rawPoints } from "../hub-api.js";
import { SEQUENCE_METRIC } from "./simulated-device.js";

/** What the hub stored against what the devices sent and had acknowledged. */
export interface Verification {
  devices: number;
  sent: number;
  acknowledged: number;
  /** Distinct readings found on the hub. */
  stored: number;
  /** Sent readings not on the hub (acknowledged or not). */
  missing: number;
  /** Acknowledged readings not on the hub: data loss. */
  lostAcknowledged: number;
  /** Readings stored more than once. */
  duplicates: number;
  /** A few device ids with acknowledged readings missing, for the report. */
  examples: string[];
}

/** Per-device facts the verification needs from the run. */
export interface VerifyInput {
  hubUrl: string;
  apiKey: string;
  sentByDevice: ReadonlyMap<string, number>;
  acknowledgedByDevice: ReadonlyMap<string, number>;
  /** Device id → readings its buffer dropped by overflow. */
  droppedByDevice: ReadonlyMap<string, number>;
  /** Window that holds every reading's timestamp, hub clock (ms). */
  from: number;
  to: number;
}

/**
 * Ask the hub (`/telemetry/raw`, metric `sim_seq`) what it stored. Acks are cumulative and
 * readings leave a device in order, so the acknowledged readings are `sim_seq` 0 … acked − 1,
 * unless the buffer dropped some by overflow: then only the count can be compared.
 */
export async function verifyStored(input: VerifyInput): Promise<Verification> {
  const result: Verification = {
    devices: 0,
    sent: 0,
    acknowledged: 0,
    stored: 0,
    missing: 0,
    lostAcknowledged: 0,
    duplicates: 0,
    examples: [],
  };
  await inBatches([...input.sentByDevice], async ([deviceId, sent]) => {
    const points = await rawPoints(input.hubUrl, input.apiKey, deviceId, SEQUENCE_METRIC, input.from, input.to);
    const seen = new Set<number>();
    for (const point of points) {
      if (typeof point.value !== "number") continue;
      if (seen.has(point.value)) result.duplicates++;
      seen.add(point.value);
    }
    const acknowledged = input.acknowledgedByDevice.get(deviceId) ?? 0;
    let stored = 0;
    for (let n = 0; n < sent; n++) if (seen.has(n)) stored++;
    let lost = 0;
    if ((input.droppedByDevice.get(deviceId) ?? 0) > 0) lost = Math.max(0, acknowledged - stored);
    else for (let n = 0; n < acknowledged; n++) if (!seen.has(n)) lost++;
    result.devices++;
    result.sent += sent;
    result.acknowledged += acknowledged;
    result.stored += stored;
    result.missing += sent - stored;
    result.lostAcknowledged += lost;
    if (lost > 0 && result.examples.length < 5) result.examples.push(deviceId);
  });
  return result;
}
