import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MetricValue } from "@telehub/device-client/protocol";
import type { StoredReading } from "../src/storage/telemetry-store.js";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";

interface Bucket {
  ts: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  last: MetricValue;
  count: number;
}

interface History {
  metric: string;
  from: number;
  to: number;
  bucketMs: number;
  data: Bucket[];
}

const HOUR = 3_600_000;
/** One reading every 7 s over the last two hours, numeric metric `t` from a fixed formula. */
const STEP_MS = 7_000;
const READINGS: StoredReading[] = [];
for (let ts = T0 - 2 * HOUR; ts < T0; ts += STEP_MS) {
  const i = READINGS.length;
  READINGS.push({ ts, metrics: { t: Math.round(Math.sin(i / 9) * 1000) / 10 + (i % 7), on: i % 3 === 0, state: `s${i % 4}` } });
}

/** The buckets a correct implementation must produce, computed without the store. */
function expectedBuckets(metric: string, from: number, to: number, bucketMs: number): Bucket[] {
  const groups = new Map<number, { ts: number; value: MetricValue }[]>();
  for (const reading of READINGS) {
    const value = reading.metrics[metric];
    if (value === undefined || reading.ts < from || reading.ts >= to) continue;
    const start = from + Math.floor((reading.ts - from) / bucketMs) * bucketMs;
    groups.set(start, [...(groups.get(start) ?? []), { ts: reading.ts, value }]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, points]) => {
      const numbers = points.map((p) => p.value).filter((v): v is number => typeof v === "number");
      const newest = points.reduce((a, b) => (b.ts > a.ts ? b : a));
      return {
        ts,
        mean: numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null,
        min: numbers.length ? Math.min(...numbers) : null,
        max: numbers.length ? Math.max(...numbers) : null,
        last: newest.value,
        count: points.length,
      };
    });
}

function assertBucketsEqual(actual: Bucket[], expected: Bucket[]): void {
  assert.equal(actual.length, expected.length, "bucket count");
  actual.forEach((bucket, i) => {
    const want = expected[i] as Bucket;
    assert.equal(bucket.ts, want.ts);
    assert.equal(bucket.count, want.count, `count of bucket ${bucket.ts}`);
    assert.equal(bucket.min, want.min);
    assert.equal(bucket.max, want.max);
    assert.equal(bucket.last, want.last);
    if (want.mean === null) assert.equal(bucket.mean, null);
    else assert.ok(Math.abs((bucket.mean as number) - want.mean) < 1e-9, `mean ${bucket.mean} vs ${want.mean}`);
  });
}

describe("HTTP API telemetry", () => {
  let t: HttpTestHub;

  before(async () => {
    t = await HttpTestHub.start({ api: { maxRawPoints: 100, maxHistoryPoints: 500 } });
    await t.createDevice("sensor-1");
    await t.createDevice("silent-1");
    const batches = [];
    for (let i = 0; i < READINGS.length; i += 100) {
      batches.push({ deviceId: "sensor-1", seq: batches.length + 1, receivedAt: T0 - HOUR, readings: READINGS.slice(i, i + 100) });
    }
    await t.hub.telemetry.append(batches);
  });

  after(() => t.close());

  async function history(query: string): Promise<History> {
    const response = await t.request("GET", `/api/v1/devices/sensor-1/telemetry?${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as History;
  }

  it("latest: newest value of every metric, the newest reading's time and its age", async () => {
    t.nowMs = T0 + 30_000;
    const response = await t.request("GET", "/api/v1/devices/sensor-1/latest");
    assert.equal(response.statusCode, 200);
    const newest = READINGS.at(-1) as StoredReading;
    const body = response.json();
    assert.deepEqual(
      body.data,
      ["on", "state", "t"].map((metric) => ({ metric, ts: newest.ts, value: newest.metrics[metric], receivedAt: T0 - HOUR })),
    );
    assert.equal(body.lastReadingAt, newest.ts);
    assert.equal(body.freshnessMs, T0 + 30_000 - newest.ts);
    t.nowMs = T0;
  });

  it("latest: a device without readings has no freshness", async () => {
    const response = await t.request("GET", "/api/v1/devices/silent-1/latest");
    assert.deepEqual(response.json(), { data: [], lastReadingAt: null, freshnessMs: null });
  });

  it("history: defaults to the last hour in 300 buckets, aggregates match an independent computation", async () => {
    const body = await history("metric=t");
    assert.equal(body.to, T0);
    assert.equal(body.from, T0 - HOUR);
    assert.equal(body.bucketMs, Math.ceil(HOUR / 300));
    assert.ok(body.data.length <= 300);
    assertBucketsEqual(body.data, expectedBuckets("t", body.from, body.to, body.bucketMs));
  });

  it("history: bucketMs = max(1, ceil((to − from) / points)) and never more buckets than points", async () => {
    const from = T0 - 2 * HOUR + 1_234;
    const to = T0 - 17;
    for (const points of [1, 7, 60, 333, 500]) {
      const body = await history(`metric=t&from=${from}&to=${to}&points=${points}`);
      assert.equal(body.bucketMs, Math.max(1, Math.ceil((to - from) / points)));
      assert.ok(body.data.length <= points, `${body.data.length} buckets for points=${points}`);
      assertBucketsEqual(body.data, expectedBuckets("t", from, to, body.bucketMs));
    }
    const tiny = await history(`metric=t&from=${T0 - 10}&to=${T0}&points=500`);
    assert.equal(tiny.bucketMs, 1);
  });

  it("history: an explicit bucketMs is used as given", async () => {
    const from = T0 - HOUR;
    const body = await history(`metric=t&from=${from}&to=${T0}&bucketMs=60000`);
    assert.equal(body.bucketMs, 60_000);
    assert.equal(body.data.length, 60);
    assertBucketsEqual(body.data, expectedBuckets("t", from, T0, 60_000));
  });

  it("history: booleans and strings keep their types, with null numeric aggregates", async () => {
    for (const metric of ["on", "state"]) {
      const body = await history(`metric=${metric}&points=20`);
      assert.ok(body.data.length > 0);
      assertBucketsEqual(body.data, expectedBuckets(metric, body.from, body.to, body.bucketMs));
      for (const bucket of body.data) assert.equal(typeof bucket.last, metric === "on" ? "boolean" : "string");
    }
  });

  it("history: an unknown metric gives no buckets", async () => {
    assert.deepEqual((await history("metric=nothing")).data, []);
  });

  it("history: refuses bad windows and sizes with 400 TH_API_VALIDATION", async () => {
    const bad = [
      "",
      "metric=",
      `metric=t&from=${T0}&to=${T0}`,
      `metric=t&from=${T0}&to=${T0 - 1}`,
      "metric=t&points=0",
      "metric=t&points=501",
      "metric=t&bucketMs=0",
      `metric=t&from=${T0 - HOUR}&to=${T0}&bucketMs=7199`,
      "metric=t&from=yesterday",
    ];
    for (const query of bad) {
      const response = await t.request("GET", `/api/v1/devices/sensor-1/telemetry?${query}`);
      assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_VALIDATION" }, query);
    }
    assert.equal((await history(`metric=t&from=${T0 - HOUR}&to=${T0}&bucketMs=7200`)).data.length, 500);
  });

  it("raw: oldest first, values keep their types, capped at api.maxRawPoints with truncated", async () => {
    const from = T0 - HOUR;
    const inWindow = READINGS.filter((r) => r.ts >= from && r.ts < T0);
    const capped = await t.request("GET", `/api/v1/devices/sensor-1/telemetry/raw?metric=t&from=${from}&to=${T0}&limit=100000`);
    assert.equal(capped.statusCode, 200);
    const body = capped.json() as { data: { ts: number; metric: string; value: MetricValue }[]; truncated: boolean };
    assert.equal(body.data.length, 100);
    assert.equal(body.truncated, true);
    assert.deepEqual(
      body.data,
      inWindow.slice(0, 100).map((r) => ({ ts: r.ts, metric: "t", value: r.metrics.t })),
    );

    const few = (await t.request("GET", `/api/v1/devices/sensor-1/telemetry/raw?from=${from}&to=${T0}&limit=6`)).json();
    assert.equal(few.truncated, true);
    assert.deepEqual(
      few.data.map((p: { metric: string; value: MetricValue }) => [p.metric, typeof p.value]),
      [
        ["on", "boolean"],
        ["state", "string"],
        ["t", "number"],
        ["on", "boolean"],
        ["state", "string"],
        ["t", "number"],
      ],
    );

    const lastFew = READINGS.slice(-3);
    const all = (
      await t.request("GET", `/api/v1/devices/sensor-1/telemetry/raw?metric=state&from=${(lastFew[0] as StoredReading).ts}&to=${T0}`)
    ).json();
    assert.equal(all.truncated, false);
    assert.deepEqual(
      all.data.map((p: { value: MetricValue }) => p.value),
      lastFew.map((r) => r.metrics.state),
    );
  });

  it("raw: refuses a bad limit or window with 400 TH_API_VALIDATION", async () => {
    for (const query of ["limit=0", "limit=-3", `from=${T0}&to=${T0 - 5}`]) {
      assert.deepEqual(
        errorOf(await t.request("GET", `/api/v1/devices/sensor-1/telemetry/raw?${query}`)),
        { status: 400, code: "TH_API_VALIDATION" },
        query,
      );
    }
  });

  it("keeps a string that looks like a number or a boolean a string", async () => {
    await t.createDevice("types-1");
    await t.hub.telemetry.append([
      {
        deviceId: "types-1",
        seq: 1,
        receivedAt: T0,
        readings: [{ ts: T0 - 1_000, metrics: { a: "12", b: "true", c: false, d: 0, e: "" } }],
      },
    ]);
    const latest = (await t.request("GET", "/api/v1/devices/types-1/latest")).json();
    assert.deepEqual(Object.fromEntries(latest.data.map((v: { metric: string; value: MetricValue }) => [v.metric, v.value])), {
      a: "12",
      b: "true",
      c: false,
      d: 0,
      e: "",
    });
    const raw = (await t.request("GET", "/api/v1/devices/types-1/telemetry/raw")).json();
    assert.deepEqual(
      raw.data.map((p: { value: MetricValue }) => p.value),
      ["12", "true", false, 0, ""],
    );
  });
});
