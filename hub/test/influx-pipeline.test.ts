import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { HubMetrics } from "../src/metrics.js";
import { InfluxHttp } from "../src/storage/influx/influx-http.js";
import { influxStoreMetrics } from "../src/storage/influx/influx-store-metrics.js";
import { InfluxTelemetryStore } from "../src/storage/influx/influx-telemetry-store.js";
import { DEAD_LETTER_MESSAGE } from "../src/storage/influx/spool-drainer.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import type { StoredReading, TelemetryStore } from "../src/storage/telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { eventually } from "./support/eventually.js";
import { influxSettings, openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

const batch = (deviceId: string, seq: number, readings: { ts: number; metrics: Record<string, number | boolean | string> }[]) => ({
  deviceId,
  seq,
  receivedAt: 1_700_000_000_000,
  readings,
});

/** Points InfluxDB holds for a device, counted by InfluxQL directly (not through the store). */
async function pointsInInflux(influxd: PrivateInfluxd, deviceId: string, field: string): Promise<number> {
  const http = new InfluxHttp(influxSettings(influxd));
  const [series] = await http.query(`SELECT count("${field}") FROM "telemetry" WHERE "device" = '${deviceId}'`);
  return Number(series?.[0]?.values[0]?.[1] ?? 0);
}

describe("InfluxDB write pipeline (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  const opened: { store: InfluxTelemetryStore; dispose: () => void }[] = [];
  const open = (...args: Parameters<typeof openInfluxStore> extends [unknown, ...infer Rest] ? Rest : never) => {
    const handle = openInfluxStore(influxd, ...args);
    opened.push(handle);
    return handle;
  };
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    for (const handle of opened) {
      await handle.store.close();
      handle.dispose();
    }
    await influxd?.remove();
  });

  test("values keep their types, and names and strings that need escaping arrive intact", async () => {
    const { store } = open();
    const metrics = {
      int: 42,
      frac: 21.5,
      neg: -3,
      big: 1e15,
      tiny: 1.5e-7,
      on: false,
      text: 'say "hi", a=b \\ c',
      lines: "one\ntwo\r\n\ttabbed",
    };
    await store.append([batch("dev ,=1", 1, [{ ts: 1_000, metrics }])]);
    const raw = await store.raw({ deviceId: "dev ,=1", from: 0, to: 2_000, limit: 100 });
    assert.deepEqual(Object.fromEntries(raw.map((p) => [p.metric, p.value])), metrics);
    const latest = await store.latest("dev ,=1");
    assert.deepEqual(Object.fromEntries(latest.map((v) => [v.metric, v.value])), metrics);
    assert.equal(typeof latest.find((v) => v.metric === "on")?.value, "boolean");
    assert.equal(latest[0]?.receivedAt, 1_700_000_000_000);
  });

  test("a batch resent after its sequence state was lost overwrites its points instead of duplicating them", async () => {
    const readings = Array.from({ length: 50 }, (_, i) => ({ ts: 10_000 + i, metrics: { v: i } }));
    const first = open();
    await first.store.append([batch("resend", 1, readings)]);
    assert.equal(await first.store.countValues("resend"), 50);
    // A second hub with an empty spool has no sequence state: the batch is stored again.
    const second = open();
    assert.deepEqual(await second.store.append([batch("resend", 1, readings)]), ["stored"]);
    assert.equal(await second.store.countValues("resend"), 50);
    assert.equal(await pointsInInflux(influxd, "resend", "v"), 50);
  });

  test("a point InfluxDB rejects goes to the dead-letter file, raises the metric and an error log line, and does not block the rest", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-dead-letter-"));
    const logged: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const metrics = new HubMetrics();
    const store = new InfluxTelemetryStore({ influx: influxSettings(influxd), dataDir, metrics: influxStoreMetrics(metrics), log });
    opened.push({ store, dispose: () => rmSync(dataDir, { recursive: true, force: true }) });
    // Something the hub cannot foresee: another writer made `level` a string field in the numbers' measurement.
    await new InfluxHttp(influxSettings(influxd)).write(['telemetry,device=typed level="written by someone else" 500']);
    await store.append([
      batch("typed", 1, [
        { ts: 2_000, metrics: { level: 2 } },
        { ts: 3_000, metrics: { w: 3 } },
      ]),
      batch("other", 1, [{ ts: 2_000, metrics: { w: 1 } }]),
    ]);
    await store.append([batch("typed", 2, [{ ts: 4_000, metrics: { w: 4 } }])]);
    assert.equal(await store.countValues("typed"), 1 + 2, "the other writer's value and the two points that fit");
    assert.equal(await store.countValues("other"), 1);
    const deadLetters = readFileSync(join(dataDir, "influx-dead-letter.lp"), "utf8").trim().split("\n");
    assert.deepEqual(deadLetters, ["telemetry,device=typed level=2,_received=1700000000000 2000"]);
    assert.equal((await metrics.influxDeadLetteredPoints.get()).values[0]?.value, 1);
    const alarms = logged.filter((entry) => entry.msg === DEAD_LETTER_MESSAGE);
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]?.level, 50, "logged at level error");
    assert.equal(alarms[0]?.points, 1);
    assert.equal(alarms[0]?.deadLetterPath, join(dataDir, "influx-dead-letter.lp"));
  });

  test("history aggregates match values computed here, with buckets aligned at `from`", async () => {
    const { store } = open();
    const readings = Array.from({ length: 600 }, (_, i) => ({ ts: 100_000 + i * 97, metrics: { x: Math.round(Math.sin(i) * 1000) / 10 } }));
    await store.append([batch("agg", 1, readings)]);
    const from = 100_000 + 1_234;
    const to = from + 50_000;
    const bucketMs = 7_000;
    const expected = new Map<number, number[]>();
    for (const r of readings) {
      if (r.ts < from || r.ts >= to) continue;
      const start = from + Math.floor((r.ts - from) / bucketMs) * bucketMs;
      expected.set(start, [...(expected.get(start) ?? []), r.metrics.x]);
    }
    const buckets = await store.history({ deviceId: "agg", metric: "x", from, to, bucketMs });
    assert.deepEqual(
      buckets.map((b) => b.ts),
      [...expected.keys()],
    );
    for (const bucket of buckets) {
      const values = expected.get(bucket.ts) as number[];
      assert.equal(bucket.count, values.length);
      assert.equal(bucket.min, Math.min(...values));
      assert.equal(bucket.max, Math.max(...values));
      assert.equal(bucket.last, values.at(-1));
      assert.ok(Math.abs((bucket.mean as number) - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
    }
  });

  test("the embedded store and InfluxDB answer the same queries the same way", async () => {
    const { store: influx } = open();
    const dir = mkdtempSync(join(tmpdir(), "telehub-agree-"));
    const sqlite = new SqliteTelemetryStore(join(dir, "telemetry.db"));
    try {
      const batches = [1, 2, 3].map((seq) =>
        batch(
          "agree",
          seq,
          Array.from({ length: 40 }, (_, i): StoredReading => {
            const n = seq * 100 + i;
            return { ts: 500_000 + n * 250, metrics: i % 5 === 0 ? { t: n / 4, s: `s${n}` } : { t: n / 4, on: n % 3 === 0 } };
          }),
        ),
      );
      for (const store of [influx, sqlite] as TelemetryStore[]) for (const b of batches) await store.append([b]);
      const answers = async (store: TelemetryStore) => ({
        latest: await store.latest("agree"),
        history: (
          await Promise.all(
            ["t", "on", "s"].map((metric) => store.history({ deviceId: "agree", metric, from: 520_000, to: 590_000, bucketMs: 3_000 })),
          )
        ).map((buckets) => buckets.map((b) => ({ ...b, mean: b.mean === null ? null : Math.round(b.mean * 1e9) / 1e9 }))),
        raw: await store.raw({ deviceId: "agree", from: 0, to: 1e9, limit: 1_000 }),
        rawCapped: await store.raw({ deviceId: "agree", metric: "t", from: 560_000, to: 1e9, limit: 7 }),
        count: await store.countValues("agree"),
      });
      assert.deepEqual(await answers(influx), await answers(sqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("while InfluxDB is down, appends are durable in the spool and reach InfluxDB once it is back", async () => {
    const { store, metrics } = open({ maxRetryDelayMs: 200 });
    await influxd.stop();
    try {
      for (let seq = 1; seq <= 20; seq++)
        await store.append([
          batch("spooled", seq, [
            { ts: seq * 1_000, metrics: { v: seq } },
            { ts: seq * 1_000 + 1, metrics: { v: -seq } },
          ]),
        ]);
      assert.equal((await metrics.influxSpoolBatches.get()).values[0]?.value, 20);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(((await metrics.influxWriteErrors.get()).values[0]?.value ?? 0) >= 1, "the failed writes are counted");
    } finally {
      await influxd.start();
    }
    await eventually(async () => (await metrics.influxSpoolBatches.get()).values[0]?.value === 0, "the spool is drained", 10_000);
    assert.equal(await store.countValues("spooled"), 40);
  });
});
