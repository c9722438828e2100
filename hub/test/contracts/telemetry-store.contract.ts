import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MetricEntry, TelemetryBatch, TelemetryStore } from "../../src/storage/telemetry-store.js";

/** Entries in a fixed order, to compare. */
const ordered = (entries: MetricEntry[]): MetricEntry[] =>
  [...entries].sort((x, y) => x.deviceId.localeCompare(y.deviceId) || x.metric.localeCompare(y.metric));

/**
 * The behaviour every `TelemetryStore` must have. Each implementation's test file calls this
 * with a factory for a fresh, empty store (and a way to reopen it over the same data, to
 * check durability).
 */
export function telemetryStoreContract(
  name: string,
  factory: { open(): Promise<TelemetryStore>; reopen(): Promise<TelemetryStore>; dispose(): Promise<void> },
): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let store: TelemetryStore;
    const batch = (deviceId: string, seq: number, readings: TelemetryBatch["readings"]): TelemetryBatch => ({
      deviceId,
      seq,
      receivedAt: 5_000_000,
      readings,
    });

    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
      await factory.dispose();
    });

    test("append stores batches in order and reports duplicates by sequence number", async () => {
      const outcomes = await store.append([
        batch("a", 1, [{ ts: 1_000, metrics: { temp: 20.5, on: true, mode: "eco", n: 3 } }]),
        batch("a", 2, [{ ts: 2_000, metrics: { temp: 21 } }]),
        batch("b", 1, [{ ts: 1_000, metrics: { temp: 5 } }]),
        batch("a", 2, [{ ts: 2_000, metrics: { temp: 99 } }]),
        batch("a", 1, [{ ts: 9_000, metrics: { temp: 99 } }]),
      ]);
      assert.deepEqual(outcomes, ["stored", "stored", "stored", "duplicate", "duplicate"]);
      assert.equal(await store.lastSequence("a"), 2);
      assert.equal(await store.lastSequence("b"), 1);
      assert.equal(await store.lastSequence("nobody"), 0);
      assert.equal(await store.countValues("a"), 5);
      assert.equal(await store.countValues(), 6);
    });

    test("values keep their types: numbers (integer and fractional), booleans, strings", async () => {
      const latest = Object.fromEntries((await store.latest("a")).map((v) => [v.metric, v.value]));
      assert.deepEqual(latest, { temp: 21, on: true, mode: "eco", n: 3 });
      assert.equal(typeof latest.on, "boolean");
    });

    test("a duplicate in a later call is not stored again", async () => {
      assert.deepEqual(await store.append([batch("a", 2, [{ ts: 3_000, metrics: { temp: 1 } }])]), ["duplicate"]);
      assert.equal(await store.countValues("a"), 5);
    });

    test("the same series and timestamp overwrite instead of counting twice", async () => {
      await store.append([batch("c", 1, [{ ts: 1_000, metrics: { v: 1 } }]), batch("c", 2, [{ ts: 1_000, metrics: { v: 2 } }])]);
      assert.equal(await store.countValues("c"), 1);
      assert.equal((await store.latest("c"))[0]?.value, 2);
    });

    test("latest means the newest device timestamp, not the last to arrive", async () => {
      await store.append([batch("d", 1, [{ ts: 5_000, metrics: { v: 5 } }]), batch("d", 2, [{ ts: 4_000, metrics: { v: 4 } }])]);
      const [value] = await store.latest("d");
      assert.deepEqual([value?.ts, value?.value, value?.receivedAt], [5_000, 5, 5_000_000]);
    });

    test("history aggregates per bucket: mean, min, max, last, count", async () => {
      const readings = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ ts: 10_000 + i * 100, metrics: { x: i * i } }));
      await store.append([batch("h", 1, readings)]);
      const buckets = await store.history({ deviceId: "h", metric: "x", from: 10_000, to: 11_000, bucketMs: 500 });
      assert.deepEqual(buckets, [
        { ts: 10_000, mean: (0 + 1 + 4 + 9 + 16) / 5, min: 0, max: 16, last: 16, count: 5 },
        { ts: 10_500, mean: (25 + 36 + 49 + 64 + 81) / 5, min: 25, max: 81, last: 81, count: 5 },
      ]);
      assert.deepEqual(await store.history({ deviceId: "h", metric: "missing", from: 0, to: 1e12, bucketMs: 1000 }), []);
    });

    test("history of a boolean metric has only last and count", async () => {
      const buckets = await store.history({ deviceId: "a", metric: "on", from: 0, to: 10_000, bucketMs: 10_000 });
      assert.deepEqual(buckets, [{ ts: 0, mean: null, min: null, max: null, last: true, count: 1 }]);
    });

    test("raw returns points oldest first within [from, to), capped by limit", async () => {
      const all = await store.raw({ deviceId: "h", metric: "x", from: 10_000, to: 11_000, limit: 100 });
      assert.equal(all.length, 10);
      assert.deepEqual(all[0], { ts: 10_000, metric: "x", value: 0 });
      const capped = await store.raw({ deviceId: "h", metric: "x", from: 10_100, to: 10_900, limit: 3 });
      assert.deepEqual(
        capped.map((p) => p.ts),
        [10_100, 10_200, 10_300],
      );
      const everyMetric = await store.raw({ deviceId: "a", from: 0, to: 10_000, limit: 100 });
      assert.equal(everyMetric.length, 5);
    });

    test("raw with a metric list, and countRaw: the values raw would return, counted up to the limit", async () => {
      const some = await store.raw({ deviceId: "a", metrics: ["on", "temp"], from: 0, to: 10_000, limit: 100 });
      assert.deepEqual(
        some.map((p) => [p.ts, p.metric]),
        [
          [1_000, "on"],
          [1_000, "temp"],
          [2_000, "temp"],
        ],
      );
      assert.deepEqual(await store.raw({ deviceId: "a", metrics: [], from: 0, to: 10_000, limit: 100 }), []);
      assert.equal(await store.countRaw({ deviceId: "a", from: 0, to: 10_000, limit: 100 }), 5);
      assert.equal(await store.countRaw({ deviceId: "a", metrics: ["on", "temp"], from: 0, to: 10_000, limit: 100 }), 3);
      assert.equal(await store.countRaw({ deviceId: "a", from: 0, to: 10_000, limit: 2 }), 2);
      assert.equal(await store.countRaw({ deviceId: "a", from: 1_500, to: 10_000, limit: 100 }), 1);
      assert.equal(await store.countRaw({ deviceId: "nobody", from: 0, to: 10_000, limit: 100 }), 0);
    });

    test("metricTypes: each (device, metric) with the type newMetrics gave, or else the type of its first value", async () => {
      const typed = batch("types", 1, [{ ts: 1_000, metrics: { t: 1, flag: true, label: "x" } }]);
      typed.newMetrics = [
        { metric: "t", type: "number" },
        { metric: "flag", type: "boolean" },
        { metric: "label", type: "string" },
      ];
      assert.deepEqual(await store.append([typed]), ["stored"]);
      const entries = await store.metricTypes();
      assert.deepEqual(ordered(entries.filter((e) => e.deviceId === "types")), [
        { deviceId: "types", metric: "flag", type: "boolean" },
        { deviceId: "types", metric: "label", type: "string" },
        { deviceId: "types", metric: "t", type: "number" },
      ]);
      // Device "a" was appended without newMetrics (a store used without the hub's catalogue).
      assert.deepEqual(ordered(entries.filter((e) => e.deviceId === "a")), [
        { deviceId: "a", metric: "mode", type: "string" },
        { deviceId: "a", metric: "n", type: "number" },
        { deviceId: "a", metric: "on", type: "boolean" },
        { deviceId: "a", metric: "temp", type: "number" },
      ]);
    });

    test("metricTypes: the newMetrics of a duplicate batch are recorded too (the hub's catalogue claimed them)", async () => {
      const resent = batch("types", 1, [{ ts: 2_000, metrics: { late: "s" } }]);
      resent.newMetrics = [{ metric: "late", type: "string" }];
      assert.deepEqual(await store.append([resent]), ["duplicate"]);
      const late = (await store.metricTypes()).find((e) => e.deviceId === "types" && e.metric === "late");
      assert.deepEqual(late, { deviceId: "types", metric: "late", type: "string" });
      assert.equal(await store.countValues("types"), 3, "nothing of the duplicate stored");
    });

    test("metric types are per device: another device's metric of the same name holds another type, and both read back", async () => {
      const other = batch("types-b", 1, [{ ts: 1_000, metrics: { t: "text", flag: 7 } }]);
      other.newMetrics = [
        { metric: "t", type: "string" },
        { metric: "flag", type: "number" },
      ];
      assert.deepEqual(await store.append([other]), ["stored"]);
      const mine = batch("types", 2, [{ ts: 3_000, metrics: { t: 2, flag: false } }]);
      assert.deepEqual(await store.append([mine]), ["stored"]);
      const entries = await store.metricTypes();
      const typeOf = (deviceId: string, metric: string) => entries.find((e) => e.deviceId === deviceId && e.metric === metric)?.type;
      assert.deepEqual([typeOf("types", "t"), typeOf("types", "flag")], ["number", "boolean"]);
      assert.deepEqual([typeOf("types-b", "t"), typeOf("types-b", "flag")], ["string", "number"]);
      const latest = (deviceId: string) => store.latest(deviceId).then((v) => Object.fromEntries(v.map((x) => [x.metric, x.value])));
      assert.deepEqual(await latest("types-b"), { t: "text", flag: 7 });
      assert.deepEqual(await latest("types"), { t: 2, flag: false, label: "x" });
      await store.forgetDevice("types-b");
      assert.deepEqual(
        (await store.metricTypes()).filter((e) => e.deviceId === "types-b"),
        [],
        "forgetDevice drops the device's metric types",
      );
    });

    test("forgetDevice removes data and sequence state", async () => {
      await store.forgetDevice("b");
      assert.equal(await store.countValues("b"), 0);
      assert.equal(await store.lastSequence("b"), 0);
      assert.deepEqual(await store.append([batch("b", 1, [{ ts: 1, metrics: { v: 1 } }])]), ["stored"]);
    });

    test("everything acknowledged survives reopening the store", async () => {
      const before = await store.countValues();
      const typesBefore = ordered(await store.metricTypes());
      await store.close();
      store = await factory.reopen();
      assert.equal(await store.countValues(), before);
      assert.deepEqual(ordered(await store.metricTypes()), typesBefore, "metric types are durable");
      assert.equal(await store.lastSequence("a"), 2);
      await store.ping();
    });
  });
}
