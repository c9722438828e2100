import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MetricValue } from "@telehub/device-client/protocol";
import { ProtocolError } from "@telehub/device-client/protocol";
import { MetricCatalogue } from "../src/ingest/metric-catalogue.js";
import { ReadingClock } from "../src/ingest/reading-clock.js";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";

const batch = (deviceId: string, seq: number, ...readings: Record<string, MetricValue>[]): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: 1,
  readings: readings.map((metrics, i) => ({ ts: i, metrics })),
});

/** The refusal `admit` throws, as code, seq and message. */
function refusal(catalogue: MetricCatalogue, refused: TelemetryBatch): { code: string; seq: number | undefined; message: string } {
  try {
    catalogue.admit(refused);
  } catch (error) {
    assert.ok(error instanceof ProtocolError);
    return { code: error.code, seq: error.seq, message: error.message };
  }
  assert.fail("admitted");
}

describe("metric catalogue", () => {
  test("the first value fixes a metric's type for its device; another type is TH_TYPE_CONFLICT naming metric, held and sent types", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 256, maxSeries: 1_000 });
    const first = batch("a", 1, { temperature: 21.5, on: true });
    catalogue.admit(first);
    assert.deepEqual(first.newMetrics, [
      { metric: "temperature", type: "number" },
      { metric: "on", type: "boolean" },
    ]);
    const later = batch("a", 2, { temperature: 22 });
    catalogue.admit(later);
    assert.equal(later.newMetrics, undefined, "nothing new");
    assert.deepEqual(refusal(catalogue, batch("a", 3, { temperature: 1 }, { temperature: 2 }, { on: true }, { temperature: "x" })), {
      code: "TH_TYPE_CONFLICT",
      seq: 3,
      message: 'reading 3: metric "temperature" holds number values; this batch sent a string',
    });
    assert.match(refusal(catalogue, batch("a", 4, { on: 0 })).message, /metric "on" holds boolean values; this batch sent a number/);
    assert.equal(catalogue.typeOf("a", "temperature"), "number");
  });

  test("another device's metric of the same name is its own", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 256, maxSeries: 1_000 });
    catalogue.admit(batch("a", 1, { temperature: 21.5 }));
    const b = batch("b", 1, { temperature: "x" });
    catalogue.admit(b);
    assert.deepEqual(b.newMetrics, [{ metric: "temperature", type: "string" }]);
    assert.deepEqual([catalogue.typeOf("a", "temperature"), catalogue.typeOf("b", "temperature")], ["number", "string"]);
    assert.equal(catalogue.size, 2);
  });

  test("a conflict inside one batch refuses it whole and claims none of its metrics", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 256, maxSeries: 1_000 });
    assert.deepEqual(refusal(catalogue, batch("a", 1, { fresh: 1, mode: "eco" }, { mode: false })), {
      code: "TH_TYPE_CONFLICT",
      seq: 1,
      message: 'reading 1: metric "mode" holds string values; this batch sent a boolean',
    });
    assert.equal(catalogue.typeOf("a", "fresh"), undefined);
    assert.equal(catalogue.size, 0);
    catalogue.admit(batch("a", 2, { mode: false }));
    assert.equal(catalogue.typeOf("a", "mode"), "boolean");
  });

  test("maxMetricsPerDevice: a device may reach the limit, a batch that would pass it is refused with TH_METRIC_LIMIT", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 3, maxSeries: 1_000 });
    catalogue.admit(batch("a", 1, { m1: 1, m2: 2 }));
    const over = refusal(catalogue, batch("a", 2, { m1: 1 }, { m3: 3, m4: 4 }));
    assert.deepEqual([over.code, over.seq], ["TH_METRIC_LIMIT", 2]);
    assert.match(over.message, /2 new metric names to the device's 2: over maxMetricsPerDevice \(3\)/);
    assert.equal(catalogue.typeOf("a", "m3"), undefined, "nothing of the refused batch claimed");
    catalogue.admit(batch("a", 3, { m3: 3 }));
    assert.equal(refusal(catalogue, batch("a", 4, { m4: 4 })).code, "TH_METRIC_LIMIT");
    catalogue.admit(batch("a", 5, { m1: 9, m2: 9, m3: 9 }));
    catalogue.admit(batch("b", 1, { m4: 4 }));
    assert.equal(catalogue.size, 4);
  });

  test("maxSeries: the hub's series over all devices may reach the limit, not pass it", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 10, maxSeries: 3 });
    catalogue.admit(batch("a", 1, { x: 1, y: 1 }));
    catalogue.admit(batch("b", 1, { x: 1 }));
    const over = refusal(catalogue, batch("c", 1, { x: 1 }));
    assert.deepEqual([over.code, over.seq], ["TH_METRIC_LIMIT", 1]);
    assert.match(over.message, /the hub holds 3 series, over maxSeries \(3\)/);
    catalogue.admit(batch("a", 2, { x: 2, y: 2 }));
    assert.equal(catalogue.size, 3);
  });

  test("a failed write releases exactly what its batch claimed", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 2, maxSeries: 1_000 });
    catalogue.admit(batch("a", 1, { kept: 1 }));
    const failed = batch("a", 2, { kept: 2, lost: "s" });
    catalogue.admit(failed);
    assert.equal(catalogue.size, 2);
    catalogue.release(failed);
    assert.deepEqual([catalogue.typeOf("a", "kept"), catalogue.typeOf("a", "lost"), catalogue.size], ["number", undefined, 1]);
    const retry = batch("a", 2, { lost: true });
    catalogue.admit(retry);
    assert.deepEqual(retry.newMetrics, [{ metric: "lost", type: "boolean" }], "the released name is free again, for any type");
  });

  test("forgetDevice drops the device's metrics and frees their series", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 10, maxSeries: 2 });
    catalogue.admit(batch("a", 1, { x: 1, y: "s" }));
    assert.equal(refusal(catalogue, batch("b", 1, { x: 1 })).code, "TH_METRIC_LIMIT");
    catalogue.forgetDevice("a");
    assert.equal(catalogue.size, 0);
    catalogue.admit(batch("b", 1, { x: 1 }));
    const again = batch("a", 2, { y: 5 });
    catalogue.admit(again);
    assert.deepEqual(again.newMetrics, [{ metric: "y", type: "number" }], "a re-created device starts afresh");
  });

  test("load takes in what the store holds", () => {
    const catalogue = new MetricCatalogue({ maxMetricsPerDevice: 10, maxSeries: 10 });
    catalogue.load([
      { deviceId: "a", metric: "t", type: "number" },
      { deviceId: "b", metric: "t", type: "string" },
    ]);
    assert.equal(catalogue.size, 2);
    assert.equal(refusal(catalogue, batch("a", 1, { t: "x" })).code, "TH_TYPE_CONFLICT");
    catalogue.admit(batch("b", 1, { t: "x" }));
  });
});

describe("reading clock", () => {
  test("stamps are the receive time, at least 1 ms after the device's last; devices are apart", () => {
    const clock = new ReadingClock();
    assert.equal(clock.next("a", 1_000), 1_000);
    clock.taken("a", 1_002, 1_000);
    assert.equal(clock.next("a", 1_000), 1_003, "same millisecond: after the last stamp");
    assert.equal(clock.next("a", 1_001), 1_003, "the clock ran ahead: after the last stamp");
    assert.equal(clock.next("a", 5_000), 5_000, "the last stamp is in the past: the receive time");
    assert.equal(clock.next("b", 1_000), 1_000);
  });

  test("entries whose last stamp is in the past are swept, so memory stays bounded", () => {
    const clock = new ReadingClock();
    for (let d = 0; d < 10_000; d++) clock.taken(`d${d}`, d, d);
    assert.ok(clock.size <= 2_048, `${clock.size} entries kept`);
    clock.taken("late", 20_000, 20_000);
    assert.equal(clock.next("late", 20_000), 20_001);
  });
});
