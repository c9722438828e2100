import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { TELEMETRY_MIGRATIONS } from "../src/storage/sqlite/telemetry-migrations.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-sqlite-store-"));
const path = join(dir, "telemetry.db");

telemetryStoreContract("embedded SQLite", {
  open: async () => new SqliteTelemetryStore(path),
  reopen: async () => new SqliteTelemetryStore(path),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});

test("migration 3 gives existing series the type of their newest value: the reading log's last, else readings' newest ts; none: number", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-sqlite-types-"));
  const file = join(own, "telemetry.db");
  try {
    const old = openDatabase(file, TELEMETRY_MIGRATIONS.slice(0, 2));
    old.exec(`
      INSERT INTO series (id, device_id, metric) VALUES (1, 'd', 'mode'), (2, 'd', 'on'), (3, 'd', 'empty'), (4, 'e', 'mode');
      INSERT INTO readings (series_id, ts, value, type, received_at) VALUES (1, 1, 5, 0, 1), (1, 2, 'eco', 2, 1), (2, 5, 1.5, 0, 1), (4, 1, 3, 0, 1);
      INSERT INTO reading_log (id, series_id, ts, value, type, received_at, seq) VALUES (1, 2, 1, 1, 1, 1, 1);
    `);
    old.close();
    const store = new SqliteTelemetryStore(file);
    const types = Object.fromEntries((await store.metricTypes()).map((e) => [`${e.deviceId}/${e.metric}`, e.type]));
    assert.deepEqual(types, { "d/mode": "string", "d/on": "boolean", "d/empty": "number", "e/mode": "number" });
    await store.close();
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
