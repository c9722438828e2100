import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Migration, openDatabase } from "../src/storage/sqlite/open-database.js";

test("migrations apply once each, in order, and a later release's new step applies on the next start", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-migrations-"));
  try {
    const path = join(dir, "x.db");
    const v1: Migration[] = [{ version: 1, description: "t", up: "CREATE TABLE t (a INTEGER)" }];
    let db = openDatabase(path, v1);
    db.prepare("INSERT INTO t VALUES (1)").run();
    db.close();
    db = openDatabase(path, v1);
    assert.equal(db.prepare("SELECT COUNT(*) FROM t").pluck().get(), 1, "reopening does not run step 1 again");
    db.close();
    const v2 = [...v1, { version: 2, description: "b", up: "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'" }];
    db = openDatabase(path, v2);
    assert.deepEqual(db.prepare("SELECT a, b FROM t").get(), { a: 1, b: "x" });
    assert.deepEqual(db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all(), [1, 2]);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    db.close();
    const broken = [...v2, { version: 3, description: "bad", up: "CREATE TABLE t (dup INTEGER)" }];
    assert.throws(() => openDatabase(path, broken), /already exists/);
    db = openDatabase(path, v2);
    assert.deepEqual(
      db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all(),
      [1, 2],
      "a failed step is not recorded",
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
