import type { MetricValue } from "@telehub/device-client/protocol";
import type { MetricType, TelemetryBatch } from "../telemetry-store.js";

/** Timestamp precision of written points; readings carry ms, finer precisions append zeros. */
export type InfluxPrecision = "ms" | "us" | "ns";

/** The field that holds the hub's receive time (metric names cannot start with `_`). */
export const RECEIVED_FIELD = "_received";

/** Suffix of the measurement that holds each value type (numbers keep the bare name). */
const MEASUREMENT_SUFFIX: Record<MetricType, string> = { number: "", boolean: "_bool", string: "_str" };

/**
 * The measurement a value type lives in: numbers in `measurement`, booleans in
 * `<measurement>_bool`, strings in `<measurement>_str`. One measurement per type means a
 * field never sees two types, so InfluxDB cannot refuse a point for its field types.
 */
export function measurementOf(measurement: string, type: MetricType): string {
  return `${measurement}${MEASUREMENT_SUFFIX[type]}`;
}

const PRECISION_ZEROS: Record<InfluxPrecision, string> = { ms: "", us: "000", ns: "000000" };

/** Measurement names escape commas and spaces; tag keys, tag values and field keys also `=`. */
const escapeMeasurement = (name: string): string => name.replace(/[\\, ]/g, "\\$&");
const KEY_SPECIALS = /[\\,= ]/;
const escapeKey = (key: string): string => (KEY_SPECIALS.test(key) ? key.replace(/[\\,= ]/g, "\\$&") : key);
const escapeString = (value: string): string => `"${value.replace(/[\\"]/g, "\\$&")}"`;

/**
 * Up to three lines per reading, one per value type present, with the same tag set and
 * timestamp: `telemetry,device=ID a=1.5,_received=MS TS`, `telemetry_bool,device=ID on=t,…`,
 * `telemetry_str,device=ID mode="eco",…`. Every number is written as a float (no `i` suffix),
 * so a metric sending 21 then 21.5 never conflicts.
 */
export function encodeBatch(batch: TelemetryBatch, measurement: string, precision: InfluxPrecision): string[] {
  const device = `,device=${escapeKey(batch.deviceId)} `;
  const numberSeries = `${escapeMeasurement(measurementOf(measurement, "number"))}${device}`;
  const booleanSeries = `${escapeMeasurement(measurementOf(measurement, "boolean"))}${device}`;
  const stringSeries = `${escapeMeasurement(measurementOf(measurement, "string"))}${device}`;
  const received = `${RECEIVED_FIELD}=${batch.receivedAt} `;
  const zeros = PRECISION_ZEROS[precision];
  const lines: string[] = [];
  for (const reading of batch.readings) {
    let numbers = "";
    let booleans = "";
    let strings = "";
    for (const metric in reading.metrics) {
      const value = reading.metrics[metric] as MetricValue;
      if (typeof value === "number") numbers += `${escapeKey(metric)}=${value},`;
      else if (typeof value === "boolean") booleans += `${escapeKey(metric)}=${value ? "t" : "f"},`;
      else strings += `${escapeKey(metric)}=${escapeString(value)},`;
    }
    const time = `${Math.trunc(reading.ts)}${zeros}`;
    if (numbers !== "") lines.push(`${numberSeries}${numbers}${received}${time}`);
    if (booleans !== "") lines.push(`${booleanSeries}${booleans}${received}${time}`);
    if (strings !== "") lines.push(`${stringSeries}${strings}${received}${time}`);
  }
  return lines;
}
