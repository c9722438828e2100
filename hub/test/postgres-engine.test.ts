import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { openPgDatabase } from "../src/storage/postgres/pg-database.js";
import { type PostgresServer, requirePostgres, startPostgres } from "./support/postgres.js";

async function queryOnce<R extends object>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

describe("the private PostgreSQL of the tests", { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  test("answers on loopback as the superuser, as an unprivileged OS user, in UTF-8 with the C locale", async () => {
    assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const [settings] = await queryOnce<{ encoding: string; collate: string; listen: string; superuser: string }>(
      server.url,
      "SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, current_setting('listen_addresses') AS listen, current_setting('is_superuser') AS superuser FROM pg_database WHERE datname = current_database()",
    );
    assert.deepEqual(settings, { encoding: "UTF8", collate: "C", listen: "127.0.0.1", superuser: "on" });
    const [shown] = await queryOnce<{ data_directory: string }>(server.url, "SHOW data_directory");
    // PostgreSQL runs as the owner of its data directory, which is never root.
    assert.notEqual(statSync(shown?.data_directory ?? "").uid, 0);
  });

  test("createDatabase gives each caller a fresh, empty database", async () => {
    const first = await server.createDatabase();
    const second = await server.createDatabase();
    assert.notEqual(first, second);
    await queryOnce(first, "CREATE TABLE only_in_first (id INT)");
    const tables = await queryOnce<{ n: number }>(second, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_first'");
    assert.deepEqual(tables, [{ n: 0 }]);
  });

  test("keeps committed data across a restart and across a kill and start (crash recovery)", async () => {
    const url = await server.createDatabase("survives");
    assert.match(url, /\/survives$/);
    await queryOnce(url, "CREATE TABLE kept (n INT); INSERT INTO kept VALUES (1)");
    await server.restart();
    await queryOnce(url, "INSERT INTO kept VALUES (2)");
    await server.kill();
    await assert.rejects(queryOnce(url, "SELECT 1"));
    await server.start();
    const rows = await queryOnce<{ n: number }>(url, "SELECT n FROM kept ORDER BY n");
    assert.deepEqual(rows, [{ n: 1 }, { n: 2 }]);
  });

  test("a pool outlives a restart and a kill: its idle connections are replaced and the next query is answered", async () => {
    const idleErrors: Error[] = [];
    const db = openPgDatabase(await server.createDatabase(), { poolSize: 2, onIdleError: (error) => idleErrors.push(error) });
    try {
      await db.query("CREATE TABLE counted (n INT)");
      await db.query("INSERT INTO counted VALUES (1)");
      await server.restart();
      await db.query("INSERT INTO counted VALUES (2)");
      await server.kill();
      await assert.rejects(db.query("SELECT 1"));
      await server.start();
      const { rows } = await db.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM counted");
      assert.deepEqual(rows, [{ n: 2 }]);
      assert.ok(idleErrors.length >= 1, "the restart ended the idle connection, and the pool said so");
    } finally {
      await db.close();
    }
  });
});
