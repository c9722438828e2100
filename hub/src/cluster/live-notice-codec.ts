import type { MetricValue } from "@telehub/device-client/protocol";
import { Decoder, Encoder } from "cbor-x";
import type { StoredReading } from "../storage/telemetry-store.js";

/**
 * What one instance tells the others about one device's live news, on `names.liveReadings(deviceId)`
 * or `names.livePresence(deviceId)` (the device id is in the subject). Plain CBOR arrays, smaller
 * and quicker than JSON:
 * - readings: `[0, ts, [name, value, name, value, …], ts, […], …]`
 * - presence: `[1, connected, at]`
 * A reading's metrics travel as name/value pairs, not a map: decoded into an object, a map key
 * `__proto__` (a valid metric name) would be lost.
 */
export type LiveNotice = { kind: "readings"; readings: StoredReading[] } | { kind: "presence"; connected: boolean; at: number };

const READINGS = 0;
const PRESENCE = 1;

// No cbor-x records or typed-array tags: plain CBOR; large integers (ms timestamps) come back as numbers.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });
const decoder = new Decoder({ useRecords: false, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]);

export function encodeReadings(readings: readonly StoredReading[]): Uint8Array {
  const items: unknown[] = [READINGS];
  for (const reading of readings) {
    const pairs: unknown[] = [];
    for (const name in reading.metrics) pairs.push(name, reading.metrics[name]);
    items.push(reading.ts, pairs);
  }
  return encoder.encode(items);
}

export function encodePresence(connected: boolean, at: number): Uint8Array {
  return encoder.encode([PRESENCE, connected, at]);
}

/** The notice in `bytes`, or undefined if they are not one (another version's, or damaged). */
export function decodeLiveNotice(bytes: Uint8Array): LiveNotice | undefined {
  let items: unknown;
  try {
    items = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  if (!Array.isArray(items)) return undefined;
  if (items[0] === PRESENCE && typeof items[1] === "boolean" && typeof items[2] === "number")
    return { kind: "presence", connected: items[1], at: items[2] };
  if (items[0] !== READINGS || items.length % 2 !== 1) return undefined;
  const readings: StoredReading[] = [];
  for (let i = 1; i < items.length; i += 2) {
    const ts = items[i];
    const pairs = items[i + 1];
    if (typeof ts !== "number" || !Array.isArray(pairs)) return undefined;
    const metrics: Record<string, MetricValue> = {};
    for (let j = 0; j + 1 < pairs.length; j += 2) {
      const name = pairs[j] as string;
      const value = pairs[j + 1] as MetricValue;
      if (name === "__proto__") Object.defineProperty(metrics, name, { value, enumerable: true, writable: true, configurable: true });
      else metrics[name] = value;
    }
    readings.push({ ts, metrics });
  }
  return { kind: "readings", readings };
}
