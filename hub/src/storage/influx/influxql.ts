import type { HistoryQuery, RawQuery } from "../telemetry-store.js";
import { RECEIVED_FIELD } from "./line-protocol.js";

export const quoteIdentifier = (name: string): string => `"${name.replace(/[\\"]/g, "\\$&")}"`;
export const quoteString = (value: string): string => `'${value.replace(/[\\']/g, "\\$&")}'`;

const deviceIs = (deviceId: string): string => `"device" = ${quoteString(deviceId)}`;
const timeWithin = (from: number, to: number): string => `time >= ${Math.trunc(from)}ms AND time < ${Math.trunc(to)}ms`;

/**
 * What queries read from: a measurement, qualified with the retention policy when one is
 * configured (the `rp` parameter of `/query` is not honoured by every version).
 */
export function measurementSource(measurement: string, retentionPolicy: string): string {
  return retentionPolicy === "" ? quoteIdentifier(measurement) : `${quoteIdentifier(retentionPolicy)}.${quoteIdentifier(measurement)}`;
}

/** One metric's newest value of a device, that point's time and receive time. */
export function latestStatement(source: string, deviceId: string, metric: string): string {
  return `SELECT last(${quoteIdentifier(metric)}), ${quoteIdentifier(RECEIVED_FIELD)} FROM ${source} WHERE ${deviceIs(deviceId)}`;
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

/**
 * Raw values of the named fields of a device (its own metrics of one type, never `*`, whose
 * width would be every field any device ever wrote), oldest first.
 */
export function rawStatement(source: string, query: RawQuery, metrics: readonly string[]): string {
  return (
    `SELECT ${metrics.map(quoteIdentifier).join(", ")} FROM ${source} WHERE ${deviceIs(query.deviceId)} AND ${timeWithin(query.from, query.to)} ` +
    `ORDER BY time ASC LIMIT ${Math.max(1, Math.trunc(query.limit))}`
  );
}

/** How many values of the named fields a device has in a window: one `count()` column per field. */
export function rawCountStatement(source: string, query: RawQuery, metrics: readonly string[]): string {
  const counts = metrics.map((metric, i) => `count(${quoteIdentifier(metric)}) AS "c${i}"`).join(", ");
  return `SELECT ${counts} FROM ${source} WHERE ${deviceIs(query.deviceId)} AND ${timeWithin(query.from, query.to)}`;
}

/** `count(*)` per field, of one device or all. */
export function countStatement(source: string, deviceId?: string): string {
  const where = deviceId === undefined ? "" : ` WHERE ${deviceIs(deviceId)}`;
  return `SELECT count(*) FROM ${source}${where}`;
}

/** Removes a device's series from a measurement (1.x; see docs/influxdb.md for 2.x and 3.x). */
export function dropDeviceStatement(measurement: string, deviceId: string): string {
  return `DROP SERIES FROM ${quoteIdentifier(measurement)} WHERE ${deviceIs(deviceId)}`;
}

/** `CREATE DATABASE` and the retention policy: 1.x only, never on the write path. */
export function createDatabaseQuery(database: string, retentionPolicy: string, retentionDuration: string): string {
  const create = `CREATE DATABASE ${quoteIdentifier(database)}`;
  if (retentionPolicy === "") return create;
  return `${create}; CREATE RETENTION POLICY ${quoteIdentifier(retentionPolicy)} ON ${quoteIdentifier(database)} DURATION ${retentionDuration} REPLICATION 1`;
}
