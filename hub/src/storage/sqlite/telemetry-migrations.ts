import type { Migration } from "./open-database.js";

/**
 * Schema of the embedded telemetry database (`telemetry.db`). A reading's value for one
 * metric is one row of `readings` keyed by (series, ts), so a resent reading overwrites itself
 * the way an InfluxDB point does. `type` keeps booleans apart from numbers (0 number, 1 boolean,
 * 2 string). Values arrive in `reading_log` first, in arrival order, and are merged into
 * `readings` in rounds (`reading-log.ts`); the last durable batch sequence of a device is
 * the higher of `batch_sequences` and its rows still in the log. `series.type` is the type the
 * hub's metric catalogue fixed for the (device, metric), in the same codes.
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
  {
    version: 3,
    description: "series.type: the type of a metric's values, fixed per device (metric catalogue)",
    // Existing series take the type of their newest value: the last logged one, else the one
    // with the highest ts in readings (one index seek per series); a series without values: number.
    up: `
      ALTER TABLE series ADD COLUMN type INTEGER NOT NULL DEFAULT 0;
      UPDATE series SET type = COALESCE((SELECT r.type FROM readings r WHERE r.series_id = series.id ORDER BY r.ts DESC LIMIT 1), 0);
      UPDATE series SET type = newest.type
        FROM (SELECT series_id, type, MAX(id) FROM reading_log GROUP BY series_id) AS newest
       WHERE newest.series_id = series.id;
    `,
  },
];
