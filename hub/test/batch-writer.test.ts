import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { BatchWriter, type PendingWrite, WriteCancelledError } from "../src/ingest/batch-writer.js";
import { HubMetrics } from "../src/metrics.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import type { AppendOutcome, TelemetryBatch } from "../src/storage/telemetry-store.js";

const batch = (deviceId: string, seq: number): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: seq,
  readings: [{ ts: seq, metrics: { n: seq } }],
});

/** A write that records what it was told, and can be made to throw when told. */
function recorder(
  b: TelemetryBatch,
  options: { cancelled?: boolean; throws?: boolean } = {},
): PendingWrite & { heard: (AppendOutcome | Error)[] } {
  const heard: (AppendOutcome | Error)[] = [];
  return {
    batch: b,
    heard,
    isCancelled: () => options.cancelled ?? false,
    settled(outcome) {
      heard.push(outcome);
      if (options.throws) throw new Error("handler bug");
    },
    failed(error) {
      heard.push(error);
    },
  };
}

function logged(): { log: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const log = pino({ level: "error" }, { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) });
  return { log, messages };
}

test("a write whose handler throws is logged, and the rest of its group still hear their outcome", async () => {
  const store = new SqliteTelemetryStore(":memory:");
  const { log, messages } = logged();
  const writer = new BatchWriter(store, { maxBatchesPerCommit: 16, metrics: new HubMetrics(), log });
  try {
    const writes = [
      recorder(batch("a", 1), { throws: true }),
      recorder(batch("b", 1)),
      recorder(batch("a", 1)),
      recorder(batch("c", 1), { cancelled: true }),
    ];
    for (const write of writes) writer.submit(write);
    await writer.drain();
    assert.deepEqual(
      writes.slice(0, 3).map((w) => w.heard),
      [["stored"], ["stored"], ["duplicate"]],
    );
    assert.ok(writes[3]?.heard[0] instanceof WriteCancelledError);
    assert.deepEqual(messages, ["a batch's commit handler failed"]);
    assert.equal(await store.countValues(), 2);
  } finally {
    await store.close();
  }
});

test("a store that throws something other than an Error fails every write of the group with an Error", async () => {
  const store = new SqliteTelemetryStore(":memory:");
  // Fault injection on the real store: its append throws a bare string.
  store.append = async () => {
    throw "disk gone";
  };
  const { log, messages } = logged();
  const writer = new BatchWriter(store, { maxBatchesPerCommit: 16, metrics: new HubMetrics(), log });
  try {
    const writes = [recorder(batch("a", 1)), recorder(batch("b", 1))];
    for (const write of writes) writer.submit(write);
    await writer.drain();
    for (const write of writes) {
      assert.equal(write.heard.length, 1);
      assert.ok(write.heard[0] instanceof Error && write.heard[0].message === "disk gone", String(write.heard[0]));
    }
    assert.deepEqual(messages, ["telemetry store commit failed"]);
  } finally {
    await store.close();
  }
});
