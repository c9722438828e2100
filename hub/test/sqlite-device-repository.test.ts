import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { META_MIGRATIONS } from "../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";
import { deviceRepositoryContract } from "./contracts/device-repository.contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-devices-"));
const db = openDatabase(join(dir, "meta.db"), META_MIGRATIONS);

deviceRepositoryContract("embedded SQLite", {
  open: async () => new SqliteDeviceRepository(db),
  dispose: async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  },
});

test("last-seen times are committed at synchronous = NORMAL, and the connection is back to FULL afterwards", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-last-seen-"));
  const meta = openDatabase(join(own, "meta.db"), META_MIGRATIONS, "full");
  try {
    const devices = new SqliteDeviceRepository(meta);
    await devices.create({ id: "d1", name: "d1", tokenHash: "h", labels: {}, at: 1_000 });
    // The setting is per connection and not visible from SQL run inside the transaction: watch it being set.
    const settings: string[] = [];
    const pragma = meta.pragma.bind(meta);
    meta.pragma = ((source: string, options?: { simple?: boolean }) => {
      if (source.startsWith("synchronous =")) settings.push(source);
      return pragma(source, options);
    }) as typeof meta.pragma;
    await devices.touchLastSeen([{ id: "d1", at: 5_000 }]);
    assert.equal((await devices.get("d1"))?.lastSeenAt, 5_000);
    assert.deepEqual(settings, ["synchronous = NORMAL", "synchronous = 2"]);
    assert.equal(pragma("synchronous", { simple: true }), 2, "FULL: the commits after it are synced again");
  } finally {
    meta.close();
    rmSync(own, { recursive: true, force: true });
  }
});
