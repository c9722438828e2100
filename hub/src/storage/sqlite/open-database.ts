import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, ensurePrivateFile } from "../../security/data-dir.js";

/** One schema step; `version`s are consecutive from 1 and never change once released. */
export interface Migration {
  version: number;
  description: string;
  up: string;
}

/** SQLite's `synchronous` setting: `full` syncs every commit to disk (survives power loss). */
export type SqliteSynchronous = "full" | "normal";

/**
 * Open (or create) a SQLite database in WAL mode and bring its schema up to date. The
 * applied versions are kept in `schema_migrations`; each step runs in its own transaction.
 * A new file (and its `-wal`, `-shm`, which take its mode) is readable by the hub's user only,
 * in a folder created 0700.
 */
export function openDatabase(path: string, migrations: readonly Migration[], synchronous: SqliteSynchronous = "full"): Database.Database {
  if (path !== ":memory:") {
    ensurePrivateDir(dirname(path));
    ensurePrivateFile(path);
  }
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const record = db.prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)");
  try {
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.transaction(() => {
        db.exec(migration.up);
        record.run(migration.version, migration.description, Date.now());
      })();
    }
  } catch (error) {
    db.close();
    throw new Error(`${path}: schema migration failed: ${(error as Error).message}`, { cause: error });
  }
  return db;
}
