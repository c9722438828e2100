import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TelemetryBatch, TelemetryStore } from "../../src/storage/telemetry-store.js";

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

    test("forgetDevice removes data and sequence state", async () => {
      await store.forgetDevice("b");
      assert.equal(await store.countValues("b"), 0);
      assert.equal(await store.lastSequence("b"), 0);
      assert.deepEqual(await store.append([batch("b", 1, [{ ts: 1, metrics: { v: 1 } }])]), ["stored"]);
    });

    test("everything acknowledged survives reopening the store", async () => {
      const before = await store.countValues();
      await store.close();
      store = await factory.reopen();
      assert.equal(await store.countValues(), before);
      assert.equal(await store.lastSequence("a"), 2);
      await store.ping();
    });
  });
}
