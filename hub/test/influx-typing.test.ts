import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { HubMetrics } from "../src/metrics.js";
import { InfluxHttp, type InfluxSeries } from "../src/storage/influx/influx-http.js";
import { influxStoreMetrics } from "../src/storage/influx/influx-store-metrics.js";
import { InfluxTelemetryStore } from "../src/storage/influx/influx-telemetry-store.js";
import type { MetricEntry, TelemetryBatch } from "../src/storage/telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { influxSettings } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

/** The store's HTTP client, recording every InfluxQL statement it sends. */
class CountingInfluxHttp extends InfluxHttp {
  readonly statements: string[] = [];
  override async query(influxql: string): Promise<InfluxSeries[][]> {
    for (const statement of influxql.split("; ")) this.statements.push(statement);
    return super.query(influxql);
  }
}

const batch = (deviceId: string, seq: number, readings: TelemetryBatch["readings"], newMetrics?: TelemetryBatch["newMetrics"]) => ({
  deviceId,
  seq,
  receivedAt: 1_700_000_000_000,
  readings,
  ...(newMetrics && { newMetrics }),
});

const byDeviceAndMetric = (a: MetricEntry, b: MetricEntry) =>
  a.deviceId === b.deviceId ? (a.metric < b.metric ? -1 : 1) : a.deviceId < b.deviceId ? -1 : 1;

describe("InfluxDB store typing: a measurement per type, the store's own catalogue (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  const dirs: string[] = [];
  const stores: InfluxTelemetryStore[] = [];
  const open = (dataDir = mkdtempSync(join(tmpdir(), "telehub-influx-typing-")), overrides = {}) => {
    dirs.push(dataDir);
    const http = new CountingInfluxHttp(influxSettings(influxd, overrides));
    const store = new InfluxTelemetryStore({
      influx: influxSettings(influxd, overrides),
      dataDir,
      metrics: influxStoreMetrics(new HubMetrics()),
      log: pino({ level: "silent" }),
      http,
    });
    stores.push(store);
    return { store, http, dataDir };
  };
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    for (const store of stores) await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await influxd?.remove();
  });

  test("one device's string for a metric does not stop another device's numbers for it (nor its other fields)", async () => {
    const { store, dataDir } = open();
    const dayAhead = Date.now() + 3 * 86_400_000;
    await store.append([batch("poisoner", 1, [{ ts: dayAhead, metrics: { temperature: "x" } }])]);
    for (let seq = 1; seq <= 20; seq++)
      await store.append([batch("victim", seq, [{ ts: dayAhead + seq, metrics: { temperature: 21.5 + seq, humidity: 40 } }])]);
    assert.equal(await store.countValues("victim"), 40);
    assert.deepEqual(
      (await store.latest("victim")).map((v) => [v.metric, v.value]),
      [
        ["humidity", 40],
        ["temperature", 41.5],
      ],
    );
    assert.deepEqual(
      (await store.latest("poisoner")).map((v) => [v.metric, v.value]),
      [["temperature", "x"]],
    );
    const http = new InfluxHttp(influxSettings(influxd));
    const [numbers, strings] = await http.query('SHOW FIELD KEYS FROM "telemetry"; SHOW FIELD KEYS FROM "telemetry_str"');
    assert.deepEqual(numbers?.[0]?.values, [
      ["_received", "float"],
      ["humidity", "float"],
      ["temperature", "float"],
    ]);
    assert.deepEqual(strings?.[0]?.values, [
      ["_received", "float"],
      ["temperature", "string"],
    ]);
    assert.equal(existsSync(join(dataDir, "influx-dead-letter.lp")), false, "nothing was dead-lettered");
  });

  test("/latest asks only for the device's own metrics, however many names another device has", async () => {
    const { store, http } = open();
    const names = 20_000;
    const perReading = 1_000;
    const noisy = Array.from({ length: names / perReading }, (_, r) => ({
      ts: 1_000 + r,
      metrics: Object.fromEntries(Array.from({ length: perReading }, (_, i) => [`m${r * perReading + i}`, i])),
    }));
    await store.append([batch("noisy", 1, noisy)]);
    await store.append([batch("quiet", 1, [{ ts: 5_000, metrics: { temp: 21.5, on: true, mode: "eco" } }])]);
    assert.equal((await store.metricTypes()).filter((entry) => entry.deviceId === "noisy").length, names);
    http.statements.length = 0;
    const latest = await store.latest("quiet");
    assert.deepEqual(
      latest.map((v) => [v.metric, v.value, v.ts]),
      [
        ["mode", "eco", 5_000],
        ["on", true, 5_000],
        ["temp", 21.5, 5_000],
      ],
    );
    assert.deepEqual(http.statements, [
      `SELECT last("mode"), "_received" FROM "telemetry_str" WHERE "device" = 'quiet'`,
      `SELECT last("on"), "_received" FROM "telemetry_bool" WHERE "device" = 'quiet'`,
      `SELECT last("temp"), "_received" FROM "telemetry" WHERE "device" = 'quiet'`,
    ]);
    http.statements.length = 0;
    const raw = await store.raw({ deviceId: "quiet", from: 0, to: 10_000, limit: 100 });
    assert.deepEqual(
      raw.map((p) => p.metric),
      ["mode", "on", "temp"],
    );
    assert.ok(http.statements.length > 0, "raw asked InfluxDB");
    assert.ok(
      http.statements.every((s) => !s.includes("*") && !s.includes("m0")),
      `raw names the device's fields only: ${http.statements.join("; ")}`,
    );
    http.statements.length = 0;
    assert.equal((await store.history({ deviceId: "quiet", metric: "temp", from: 0, to: 10_000, bucketMs: 10_000 })).length, 1);
    assert.equal(http.statements.length, 1, "history is one statement, with no SHOW FIELD KEYS first");
  });

  test("metricTypes() is durable in the spool: the catalogue's types win, a duplicate's claims are kept, forgetDevice removes them", async () => {
    const first = open();
    await first.store.append([
      batch("typed", 1, [{ ts: 1_000, metrics: { t: 1, on: false } }], [{ metric: "t", type: "number" }]),
      batch("typed", 2, [{ ts: 2_000, metrics: { label: "a" } }]),
      batch("typed", 2, [{ ts: 2_000, metrics: { label: "a" } }], [{ metric: "claimed", type: "boolean" }]),
      batch("gone", 1, [{ ts: 1_000, metrics: { v: 1 } }]),
    ]);
    await first.store.forgetDevice("gone");
    await first.store.close();
    const second = open(first.dataDir);
    assert.deepEqual((await second.store.metricTypes()).sort(byDeviceAndMetric), [
      { deviceId: "typed", metric: "claimed", type: "boolean" },
      { deviceId: "typed", metric: "label", type: "string" },
      { deviceId: "typed", metric: "on", type: "boolean" },
      { deviceId: "typed", metric: "t", type: "number" },
    ]);
    assert.deepEqual(
      (await second.store.latest("typed")).map((v) => [v.metric, v.value]),
      [
        ["label", "a"],
        ["on", false],
        ["t", 1],
      ],
    );
  });
});
