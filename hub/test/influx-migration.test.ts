import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { InfluxHttp } from "../src/storage/influx/influx-http.js";
import type { InfluxTelemetryStore } from "../src/storage/influx/influx-telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { eventually } from "./support/eventually.js";
import { influxSettings, openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

/** The copies docs/influxdb.md (Migration) gives, one per boolean or string field of `telemetry`. */
const copyBoolean = (field: string) =>
  `SELECT "${field}"::boolean, "_received"::float INTO "telemetry_bool" FROM "telemetry" WHERE "${field}"::boolean = true OR "${field}"::boolean = false GROUP BY *`;
const copyString = (field: string) =>
  `SELECT "${field}"::string, "_received"::float INTO "telemetry_str" FROM "telemetry" WHERE "${field}"::string =~ /.*/ GROUP BY *`;

/** A spool as hubs before metric types left it: schema version 1, the devices' sequence numbers. */
function olderHubSpool(dataDir: string, devices: Record<string, number>): void {
  const db = new Database(join(dataDir, "influx-spool.db"));
  db.exec(`
    CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL);
    INSERT INTO schema_migrations VALUES (1, 'spooled line protocol and batch sequences', 0);
    CREATE TABLE spool (id INTEGER PRIMARY KEY AUTOINCREMENT, lines TEXT NOT NULL, points INTEGER NOT NULL, bytes INTEGER NOT NULL, spooled_at INTEGER NOT NULL);
    CREATE TABLE batch_sequences (device_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
  `);
  const insert = db.prepare("INSERT INTO batch_sequences VALUES (?, ?)");
  for (const [deviceId, seq] of Object.entries(devices)) insert.run(deviceId, seq);
  db.close();
}

describe("InfluxDB: data written by an older hub, after the upgrade (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  let store: InfluxTelemetryStore | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-influx-migration-"));
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await influxd?.remove();
  });

  test("the documented copies move booleans and strings to their measurements, the store reads its types back, and reads see the old data", async () => {
    const http = new InfluxHttp(influxSettings(influxd));
    // What older hubs wrote: every type in one measurement.
    await http.write([
      'telemetry,device=old temp=21.5,on=t,mode="eco",_received=900 1000',
      "telemetry,device=old temp=22,_received=1900 2000",
      'telemetry,device=old on=f,mode="",_received=2900 3000',
      "telemetry,device=numbers-only v=1,_received=900 1000",
    ]);
    olderHubSpool(dataDir, { old: 3, "numbers-only": 1 });
    store = openInfluxStore(influxd, {}, dataDir).store;
    assert.equal(await store.lastSequence("old"), 3, "the spool's sequence numbers are kept");

    const [fields] = await http.query('SHOW FIELD KEYS FROM "telemetry"');
    const ofType = (type: string) => (fields?.[0]?.values ?? []).filter((row) => row[1] === type).map((row) => String(row[0]));
    assert.deepEqual([ofType("boolean"), ofType("string")], [["on"], ["mode"]]);
    await http.query([...ofType("boolean").map(copyBoolean), ...ofType("string").map(copyString)].join("; "));

    const reopened = store;
    await eventually(async () => (await reopened.metricTypes()).length === 4, "the types are read back from InfluxDB", 10_000);
    assert.deepEqual(
      (await store.metricTypes()).sort((a, b) => (a.deviceId + a.metric < b.deviceId + b.metric ? -1 : 1)),
      [
        { deviceId: "numbers-only", metric: "v", type: "number" },
        { deviceId: "old", metric: "mode", type: "string" },
        { deviceId: "old", metric: "on", type: "boolean" },
        { deviceId: "old", metric: "temp", type: "number" },
      ],
    );
    assert.deepEqual(
      (await store.latest("old")).map((v) => [v.metric, v.value, v.ts, v.receivedAt]),
      [
        ["mode", "", 3_000, 2_900],
        ["on", false, 3_000, 2_900],
        ["temp", 22, 2_000, 1_900],
      ],
    );
    assert.deepEqual(
      (await store.raw({ deviceId: "old", from: 0, to: 10_000, limit: 100 })).map((p) => [p.ts, p.metric, p.value]),
      [
        [1_000, "mode", "eco"],
        [1_000, "on", true],
        [1_000, "temp", 21.5],
        [2_000, "temp", 22],
        [3_000, "mode", ""],
        [3_000, "on", false],
      ],
    );
    assert.deepEqual(await store.history({ deviceId: "old", metric: "on", from: 0, to: 10_000, bucketMs: 10_000 }), [
      { ts: 0, mean: null, min: null, max: null, last: false, count: 2 },
    ]);

    // After the upgrade the device goes on; its new values land in the typed measurements.
    await store.append([
      { deviceId: "old", seq: 4, receivedAt: 4_900, readings: [{ ts: 5_000, metrics: { temp: 23, on: true, mode: "away" } }] },
    ]);
    assert.deepEqual(
      (await store.latest("old")).map((v) => [v.metric, v.value]),
      [
        ["mode", "away"],
        ["on", true],
        ["temp", 23],
      ],
    );
  });
});
