import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { META_MIGRATIONS } from "../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";

test("devices made before meta migration 7 get their natural sort keys when the repository opens", async () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-sort-keys-"));
  const path = join(dir, "meta.db");
  try {
    const before = openDatabase(
      path,
      META_MIGRATIONS.filter((migration) => migration.version < 7),
    );
    const insert = before.prepare("INSERT INTO devices (id, name, token_hash, created_at, updated_at) VALUES (?, ?, 'h', 0, 0)");
    for (const [id, name] of [
      ["sim-10", "B 2"],
      ["sim-2", "b 10"],
      ["sim-100", "a 1"],
    ])
      insert.run(id, name);
    before.close();

    const db = openDatabase(path, META_MIGRATIONS);
    try {
      const devices = new SqliteDeviceRepository(db);
      assert.equal(db.prepare("SELECT COUNT(*) FROM devices WHERE id_sort_key IS NULL OR name_sort_key IS NULL").pluck().get(), 0);
      const order = async (sort: "id" | "name", direction: "asc" | "desc") =>
        (await devices.list({ limit: 10, offset: 0, sort, order: direction })).items.map((device) => device.id);
      assert.deepEqual(await order("id", "asc"), ["sim-2", "sim-10", "sim-100"]);
      assert.deepEqual(await order("id", "desc"), ["sim-100", "sim-10", "sim-2"]);
      assert.deepEqual(await order("name", "asc"), ["sim-100", "sim-10", "sim-2"]);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
