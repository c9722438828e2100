import type { Migration } from "./open-database.js";

/**
 * Schema of the embedded telemetry database (`telemetry.db`). A reading's value for one
 * metric is one row of `readings` keyed by (series, ts), so a resent reading overwrites itself
 * the way an InfluxDB point does. `type` keeps booleans apart from numbers (0 number, 1 boolean,
 * 2 string). Values arrive in `reading_log` first, in arrival order, and are merged into
 * `readings` in rounds (`reading-log.ts`); the last durable batch sequence of a device is
 * the higher of `batch_sequences` and its rows still in the log.
 */
export const TELEMETRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "series, readings and batch sequences",
    up: `
      CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        UNIQUE (device_id, metric)
      );
      CREATE TABLE readings (
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value ANY,
        type INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) WITHOUT ROWID, STRICT;
      CREATE TABLE batch_sequences (
        device_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "reading log: values in arrival order, merged into readings in rounds",
    up: `
      CREATE TABLE reading_log (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value ANY,
        type INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        seq INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
