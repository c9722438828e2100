import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openPgDatabase, type PgDatabase } from "../src/storage/postgres/pg-database.js";
import { MIGRATION_LOCK_KEY, migratePg, PgMigrationError } from "../src/storage/postgres/pg-migrate.js";
import type { PgMigration } from "../src/storage/postgres/pg-migrations.js";
import { type PostgresServer, requirePostgres, startPostgres } from "./support/postgres.js";

// Each step records that it ran, and the second holds its transaction open for a moment, so
// that instances starting together overlap inside it.
const STEPS: readonly PgMigration[] = [
  { version: 1, description: "runs table", up: "CREATE TABLE runs (version INT NOT NULL); INSERT INTO runs VALUES (1)" },
  { version: 2, description: "slow step", up: "CREATE TABLE slow (n INT); SELECT pg_sleep(0.3); INSERT INTO runs VALUES (2)" },
  { version: 3, description: "third", up: "CREATE TABLE third (n INT); INSERT INTO runs VALUES (3)" },
];

describe("migratePg", { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  const pools: PgDatabase[] = [];
  const open = async (url: string): Promise<PgDatabase> => {
    const db = openPgDatabase(url, { poolSize: 2 });
    pools.push(db);
    return db;
  };
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.all(pools.map((db) => db.close()));
    await server?.stop();
  });

  test("three instances migrating one fresh database at once: each step applied exactly once, none fails", async () => {
    const url = await server.createDatabase();
    const instances = await Promise.all([open(url), open(url), open(url)]);
    const appliedBy = await Promise.all(instances.map((db) => migratePg(db, STEPS)));
    assert.deepEqual(appliedBy.flat().sort(), [1, 2, 3]);
    const [db] = instances;
    const { rows: runs } = await db.query<{ version: number }>("SELECT version FROM runs ORDER BY version");
    assert.deepEqual(runs, [{ version: 1 }, { version: 2 }, { version: 3 }]);
    const { rows: recorded } = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    assert.deepEqual(recorded, [{ version: 1 }, { version: 2 }, { version: 3 }]);
    // Nothing left locked behind.
    const { rows: locks } = await db.query(
      "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND (classid::bigint << 32 | objid::bigint) = $1",
      [MIGRATION_LOCK_KEY],
    );
    assert.equal(locks.length, 0);
    assert.deepEqual(await migratePg(db, STEPS), [], "a later start applies nothing");
  });

  test("a failing step is rolled back, says which version failed, and the steps before it stay applied", async () => {
    const db = await open(await server.createDatabase());
    const broken: PgMigration = { version: 2, description: "broken step", up: "CREATE TABLE half (n INT); SELECT no_such_function()" };
    const failure = await migratePg(db, [STEPS[0] as PgMigration, broken]).then(
      () => assert.fail("the broken step was applied"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof PgMigrationError);
    assert.equal(failure.version, 2);
    assert.match(failure.message, /migration 2 \(broken step\) failed/);
    assert.match(failure.message, /no_such_function/);
    const { rows: half } = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'");
    assert.equal(half.length, 0, "the failed step's table was rolled back");
    const { rows: recorded } = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    assert.deepEqual(recorded, [{ version: 1 }]);
    // The lock was released: the corrected step applies.
    assert.deepEqual(await migratePg(db, STEPS), [2, 3]);
  });
});
