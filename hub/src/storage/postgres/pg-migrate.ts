import type { PgDatabase, PgQueryable } from "./pg-database.js";
import { PG_MIGRATIONS, type PgMigration } from "./pg-migrations.js";

/**
 * The advisory lock every instance takes to migrate (an arbitrary constant: "tele" in ASCII).
 * Whoever holds it applies the steps; the others wait and then find them applied.
 */
export const MIGRATION_LOCK_KEY = 0x74656c65;

/** A schema step that failed: it was rolled back; the steps before it stay applied. */
export class PgMigrationError extends Error {
  constructor(
    readonly version: number,
    readonly description: string,
    cause: Error,
  ) {
    super(`PostgreSQL schema migration ${version} (${description}) failed and was rolled back: ${cause.message}`, { cause });
    this.name = "PgMigrationError";
  }
}

async function appliedVersions(connection: PgQueryable): Promise<Set<number>> {
  const { rows } = await connection.query<{ version: number }>("SELECT version FROM schema_migrations");
  return new Set(rows.map((row) => row.version));
}

async function applyStep(connection: PgQueryable, migration: PgMigration): Promise<void> {
  await connection.query("BEGIN");
  try {
    await connection.query(migration.up);
    await connection.query("INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)", [
      migration.version,
      migration.description,
      Date.now(),
    ]);
    await connection.query("COMMIT");
  } catch (error) {
    await connection.query("ROLLBACK");
    throw new PgMigrationError(migration.version, migration.description, error as Error);
  }
}

/**
 * Bring the schema up to date: the steps of `migrations` not yet in `schema_migrations`, in
 * order, each in its own transaction, all under one session-level advisory lock
 * ({@link MIGRATION_LOCK_KEY}) on one connection: of several instances starting at once, one
 * applies each step and the others wait for it. Resolves with the versions applied here.
 */
export async function migratePg(db: PgDatabase, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  return db.withConnection(async (connection) => {
    await connection.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    let failed = false;
    try {
      await connection.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      const applied = await appliedVersions(connection);
      const appliedHere: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await applyStep(connection, migration);
        appliedHere.push(migration.version);
      }
      return appliedHere;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // After a failure the step's error is the one to report; the connection is destroyed
      // (withConnection), which releases the lock if the unlock itself fails.
      await connection.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  });
}
