import type { HistoryQuery, RawQuery } from "../telemetry-store.js";
import { RECEIVED_FIELD } from "./line-protocol.js";

/** InfluxDB field types as `SHOW FIELD KEYS` names them. */
export type InfluxFieldType = "float" | "integer" | "unsigned" | "boolean" | "string";

export const quoteIdentifier = (name: string): string => `"${name.replace(/[\\"]/g, "\\$&")}"`;
export const quoteString = (value: string): string => `'${value.replace(/[\\']/g, "\\$&")}'`;

const deviceIs = (deviceId: string): string => `"device" = ${quoteString(deviceId)}`;
const timeWithin = (from: number, to: number): string => `time >= ${Math.trunc(from)}ms AND time < ${Math.trunc(to)}ms`;

export const isNumericField = (type: InfluxFieldType | undefined): boolean => type === "float" || type === "integer" || type === "unsigned";

/**
 * What queries read from: the measurement, qualified with the retention policy when one is
 * configured (the `rp` parameter of `/query` is not honoured by every version).
 */
export function measurementSource(measurement: string, retentionPolicy: string): string {
  return retentionPolicy === "" ? quoteIdentifier(measurement) : `${quoteIdentifier(retentionPolicy)}.${quoteIdentifier(measurement)}`;
}

/** The measurement's fields and their types (`SHOW FIELD KEYS`). */
export function fieldKeysQuery(source: string): string {
  return `SHOW FIELD KEYS FROM ${source}`;
}

/** One statement per metric: its newest value, that point's time and receive time. */
export function latestQuery(source: string, deviceId: string, metrics: readonly string[]): string {
  return metrics
    .map(
      (metric) => `SELECT last(${quoteIdentifier(metric)}), ${quoteIdentifier(RECEIVED_FIELD)} FROM ${source} WHERE ${deviceIs(deviceId)}`,
    )
    .join("; ");
}

/**
 * Buckets aligned at `from` (`GROUP BY time(width, offset)`), empty ones left out (`fill(none)`).
 * Booleans and strings get only `last` and `count`.
 */
export function historyQuery(source: string, query: HistoryQuery, numeric: boolean, bucketMs: number): string {
  const field = quoteIdentifier(query.metric);
  const offset = ((query.from % bucketMs) + bucketMs) % bucketMs;
  const aggregates = numeric
    ? `mean(${field}), min(${field}), max(${field}), last(${field}), count(${field})`
    : `last(${field}), count(${field})`;
  return (
    `SELECT ${aggregates} FROM ${source} WHERE ${deviceIs(query.deviceId)} AND ${timeWithin(query.from, query.to)} ` +
    `GROUP BY time(${bucketMs}ms, ${offset}ms) fill(none)`
  );
}

/** Raw values of one metric, or every field (`*::field`) of the device's points. */
export function rawQuery(source: string, query: RawQuery): string {
  const fields = query.metric === undefined ? "*::field" : quoteIdentifier(query.metric);
  return (
    `SELECT ${fields} FROM ${source} WHERE ${deviceIs(query.deviceId)} AND ${timeWithin(query.from, query.to)} ` +
    `ORDER BY time ASC LIMIT ${Math.max(1, Math.trunc(query.limit))}`
  );
}

/** `count(*)` per field, of one device or all. */
export function countQuery(source: string, deviceId?: string): string {
  const where = deviceId === undefined ? "" : ` WHERE ${deviceIs(deviceId)}`;
  return `SELECT count(*) FROM ${source}${where}`;
}

/** Removes a device's series (1.x; see docs/influxdb.md for 2.x and 3.x). */
export function dropDeviceQuery(measurement: string, deviceId: string): string {
  return `DROP SERIES FROM ${quoteIdentifier(measurement)} WHERE ${deviceIs(deviceId)}`;
}

/** `CREATE DATABASE` and the retention policy: 1.x only, never on the write path. */
export function createDatabaseQuery(database: string, retentionPolicy: string, retentionDuration: string): string {
  const create = `CREATE DATABASE ${quoteIdentifier(database)}`;
  if (retentionPolicy === "") return create;
  return `${create}; CREATE RETENTION POLICY ${quoteIdentifier(retentionPolicy)} ON ${quoteIdentifier(database)} DURATION ${retentionDuration} REPLICATION 1`;
}
