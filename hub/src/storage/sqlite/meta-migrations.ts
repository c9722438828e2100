import type { Migration } from "./open-database.js";

/** Schema of the metadata database (`meta.db`): devices and operators' API keys. */
export const META_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "devices and api keys",
    up: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        firmware TEXT,
        model TEXT,
        attributes TEXT NOT NULL DEFAULT '{}',
        labels TEXT NOT NULL DEFAULT '{}',
        clock_skew_ms INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX devices_name ON devices (name);
      CREATE INDEX devices_created_at ON devices (created_at);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );
    `,
  },
];
