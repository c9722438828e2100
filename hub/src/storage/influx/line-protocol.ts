import type { MetricValue } from "@telehub/device-client/protocol";
import type { TelemetryBatch } from "../telemetry-store.js";

/** Timestamp precision of written points; readings carry ms, finer precisions append zeros. */
export type InfluxPrecision = "ms" | "us" | "ns";

/** The field that holds the hub's receive time (metric names cannot start with `_`). */
export const RECEIVED_FIELD = "_received";

const PRECISION_ZEROS: Record<InfluxPrecision, string> = { ms: "", us: "000", ns: "000000" };

/** Measurement names escape commas and spaces; tag keys, tag values and field keys also `=`. */
const escapeMeasurement = (name: string): string => name.replace(/[\\, ]/g, "\\$&");
const escapeKey = (key: string): string => key.replace(/[\\,= ]/g, "\\$&");
const escapeString = (value: string): string => `"${value.replace(/[\\"]/g, "\\$&")}"`;

/** Every number is written as a float (no `i` suffix), so a metric sending 21 then 21.5 never conflicts. */
function encodeValue(value: MetricValue): string {
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value === "string") return escapeString(value);
  return String(value);
}

/** One line per reading: `measurement,device=ID metric=value,…,_received=MS TS`. */
export function encodeBatch(batch: TelemetryBatch, measurement: string, precision: InfluxPrecision): string[] {
  const series = `${escapeMeasurement(measurement)},device=${escapeKey(batch.deviceId)}`;
  const received = `${RECEIVED_FIELD}=${batch.receivedAt}`;
  const zeros = PRECISION_ZEROS[precision];
  const lines: string[] = [];
  for (const reading of batch.readings) {
    let fields = "";
    for (const metric in reading.metrics) fields += `${escapeKey(metric)}=${encodeValue(reading.metrics[metric] as MetricValue)},`;
    lines.push(`${series} ${fields}${received} ${Math.trunc(reading.ts)}${zeros}`);
  }
  return lines;
}
