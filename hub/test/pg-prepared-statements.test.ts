import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { openPgDatabase, type PgDatabase } from "../src/storage/postgres/pg-database.js";
import { isStalePlan, StatementNames } from "../src/storage/postgres/pg-statement-names.js";
import { type PostgresServer, requirePostgres, startPostgres } from "./support/postgres.js";

// Issue #21 (command round trip): statements with parameters are prepared once per connection.

describe("StatementNames", () => {
  test("one name per text, none past the limit, a new one when a plan went stale", () => {
    const names = new StatementNames(2);
    const first = names.nameOf("SELECT * FROM a WHERE id = $1");
    const second = names.nameOf("SELECT * FROM b WHERE id = $1");
    assert.ok(first && second && first !== second);
    assert.equal(names.nameOf("SELECT * FROM a WHERE id = $1"), first, "the same text, the same name");
    assert.equal(names.nameOf("SELECT * FROM c WHERE id = $1"), undefined, "past the limit: unnamed");
    const renewed = names.renew("SELECT * FROM a WHERE id = $1");
    assert.ok(renewed !== undefined && renewed !== first && renewed !== second, "a name never given before");
    assert.equal(names.nameOf("SELECT * FROM a WHERE id = $1"), renewed);
  });

  test("isStalePlan knows PostgreSQL's refusal and nothing else", () => {
    assert.equal(isStalePlan(Object.assign(new Error("cached plan must not change result type"), { code: "0A000" })), true);
    assert.equal(isStalePlan(Object.assign(new Error("syntax error"), { code: "42601" })), false);
    assert.equal(isStalePlan(undefined), false);
  });
});

describe("PgDatabase prepared statements", { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  let url: string;
  let db: PgDatabase;

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase("prepared");
    // One connection: what one statement prepared is visible to the next.
    db = openPgDatabase(url, { poolSize: 1 });
    await db.query("CREATE TABLE things (id TEXT PRIMARY KEY, size INTEGER)");
    await db.query("INSERT INTO things VALUES ('a', 1), ('b', 2)");
  });
  after(async () => {
    await db?.close();
    await server?.stop();
  });

  const prepared = async (): Promise<string[]> =>
    (await db.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")).rows.map(
      (row) => row.statement,
    );

  test("a statement with parameters is prepared once on a connection and run again by name; one without stays unnamed", async () => {
    for (const id of ["a", "b", "a"]) await db.query("SELECT * FROM things WHERE id = $1", [id]);
    await db.transaction((tx) => tx.query("UPDATE things SET size = size + $2 WHERE id = $1", ["a", 10]));
    assert.deepEqual(await prepared(), ["SELECT * FROM things WHERE id = $1", "UPDATE things SET size = size + $2 WHERE id = $1"]);
    assert.deepEqual((await db.query("SELECT * FROM things WHERE id = $1", ["a"])).rows, [{ id: "a", size: 11 }]);
  });

  test("a table another instance changed under a prepared SELECT * (a newer version's migration) is read again, not refused", async () => {
    assert.deepEqual((await db.query("SELECT * FROM things WHERE id = $1", ["b"])).rows, [{ id: "b", size: 2 }]);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("ALTER TABLE things ADD COLUMN colour TEXT DEFAULT 'red'");
    } finally {
      await other.end();
    }
    assert.deepEqual((await db.query("SELECT * FROM things WHERE id = $1", ["b"])).rows, [{ id: "b", size: 2, colour: "red" }]);
    assert.deepEqual((await db.query("SELECT * FROM things WHERE id = $1", ["a"])).rows, [{ id: "a", size: 11, colour: "red" }]);
  });
});
