import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { ReadingLogPacing } from "../src/storage/sqlite/reading-log.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";
import { eventually } from "./support/eventually.js";
import { pick, prng } from "./support/prng.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-reading-log-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rounds every few ms in steps of a handful of rows and series, so one test goes through many. */
const BUSY: ReadingLogPacing = { roundIntervalMs: 5, roundAfterValues: 40, copyRowsPerStep: 7, seriesPerStep: 3 };
/** No rounds unless asked for. */
const NEVER: ReadingLogPacing = {
  roundIntervalMs: 3_600_000,
  roundAfterValues: Number.MAX_SAFE_INTEGER,
  copyRowsPerStep: 7,
  seriesPerStep: 3,
};

let files = 0;
const freshPath = (): string => join(dir, `telemetry-${++files}.db`);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a second connection sees: the committed state, as a crash at this moment would leave it. */
function crashImage(path: string): string {
  const db = new Database(path);
  try {
    const image = freshPath();
    writeFileSync(image, db.serialize());
    return image;
  } finally {
    db.close();
  }
}

function countRows(path: string, table: string): number {
  const db = new Database(path);
  try {
    return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Device → metric → ts → value: what every read must answer, the last write of a timestamp winning. */
type Model = Map<string, Map<string, Map<number, number>>>;

async function assertStoreHolds(store: SqliteTelemetryStore, model: Model, devices: readonly string[], where: string): Promise<void> {
  for (const deviceId of devices) {
    const expected = [...(model.get(deviceId) ?? new Map<string, Map<number, number>>())]
      .flatMap(([metric, points]) => [...points].map(([ts, value]) => ({ ts, metric, value })))
      .sort((a, b) => a.ts - b.ts || a.metric.localeCompare(b.metric));
    const actual = await store.raw({ deviceId, from: 0, to: 1e15, limit: 100_000 });
    assert.deepEqual(actual, expected, `${where}: ${deviceId}`);
  }
}

describe("the embedded store's reading log", () => {
  test("values written while rounds merge the log, overwritten, read, forgotten and cut off by a crash are all answered right", async () => {
    const random = prng(20261125);
    const devices = ["d1", "d2", "d3", "d4"];
    const metrics = ["t", "h", "p"];
    const path = freshPath();
    let store = new SqliteTelemetryStore(path, "full", { pacing: BUSY });
    const model: Model = new Map();
    const seqs = new Map<string, number>();
    try {
      for (let op = 0; op < 400; op++) {
        const roll = random();
        if (roll < 0.7) {
          const batches: TelemetryBatch[] = [];
          for (let b = 1 + Math.floor(random() * 3); b > 0; b--) {
            const deviceId = pick(random, devices);
            const seq = (seqs.get(deviceId) ?? 0) + 1;
            seqs.set(deviceId, seq);
            // Few distinct timestamps: many writes overwrite an earlier value, in the log or merged.
            const readings = [{ ts: 1_000 * (1 + Math.floor(random() * 12)), metrics: { [pick(random, metrics)]: op } }];
            batches.push({ deviceId, seq, receivedAt: op, readings });
            for (const { ts, metrics: values } of readings) {
              for (const [metric, value] of Object.entries(values)) {
                const byMetric = model.get(deviceId) ?? new Map<string, Map<number, number>>();
                model.set(deviceId, byMetric);
                const points = byMetric.get(metric) ?? new Map<number, number>();
                byMetric.set(metric, points);
                points.set(ts, value);
              }
            }
          }
          assert.ok((await store.append(batches)).every((outcome) => outcome === "stored"));
        } else if (roll < 0.85) {
          await assertStoreHolds(store, model, [pick(random, devices)], `read at op ${op}`);
        } else if (roll < 0.88) {
          const deviceId = pick(random, devices);
          await store.forgetDevice(deviceId);
          model.delete(deviceId);
          seqs.delete(deviceId);
        } else if (roll < 0.9) {
          // A crash now: the committed state, reopened, must hold every value and sequence.
          const image = crashImage(path);
          const logged = countRows(image, "reading_log");
          let recovered = 0;
          const reopened = new SqliteTelemetryStore(image, "full", { pacing: NEVER, onRecovered: (values) => (recovered = values) });
          assert.equal(recovered, logged, "the reopened store merged and reported what the log held");
          try {
            await assertStoreHolds(reopened, model, devices, `crash image at op ${op}`);
            for (const deviceId of devices) assert.equal(await reopened.lastSequence(deviceId), seqs.get(deviceId) ?? 0);
          } finally {
            await reopened.close();
          }
        }
        // Let round steps run between operations, some of the time for longer.
        for (let t = Math.floor(random() * 4); t > 0; t--) await tick();
      }
      await assertStoreHolds(store, model, devices, "at the end");
      await store.close();
      store = new SqliteTelemetryStore(path, "full", { pacing: NEVER });
      await assertStoreHolds(store, model, devices, "after reopening");
      for (const deviceId of devices) assert.equal(await store.lastSequence(deviceId), seqs.get(deviceId) ?? 0);
    } finally {
      await store.close();
    }
  });

  test("a round merges the whole log into readings and sequence numbers, then empties it", async () => {
    const path = freshPath();
    const rounds: { values: number; seconds: number }[] = [];
    const store = new SqliteTelemetryStore(path, "full", {
      pacing: { ...BUSY, roundIntervalMs: 20, roundAfterValues: 1_000_000 },
      metrics: { mergeRound: (values, seconds) => rounds.push({ values, seconds }), mergeFailed: () => assert.fail("no round fails") },
    });
    try {
      const batches: TelemetryBatch[] = [];
      for (let d = 1; d <= 10; d++) {
        batches.push({ deviceId: `dev-${d}`, seq: d, receivedAt: 1, readings: [{ ts: 1_000, metrics: { a: d, b: -d } }] });
      }
      await store.append(batches);
      assert.equal(countRows(path, "reading_log"), 20, "appends go to the log");
      await eventually(() => countRows(path, "reading_log") === 0, "a round has emptied the log");
      assert.equal(countRows(path, "readings"), 20);
      const db = new Database(path);
      try {
        assert.equal(db.prepare("SELECT last_seq FROM batch_sequences WHERE device_id = 'dev-7'").pluck().get(), 7);
      } finally {
        db.close();
      }
      assert.equal(rounds.length, 1, "one round did it");
      assert.equal(rounds[0]?.values, 20);
      assert.ok((rounds[0]?.seconds ?? -1) >= 0);
    } finally {
      await store.close();
    }
  });

  test("a round does not undo a newer value that a read merged ahead of it", async () => {
    const path = freshPath();
    const store = new SqliteTelemetryStore(path, "full", {
      pacing: { roundIntervalMs: 3_600_000, roundAfterValues: 2, copyRowsPerStep: 100, seriesPerStep: 1 },
    });
    try {
      // All in one turn of the event loop, before the round's first step: the first batch starts
      // a round over log rows 1–2; the second overwrites v@1 as row 3; the read merges rows 1–3.
      const first = store.append([{ deviceId: "x", seq: 1, receivedAt: 1, readings: [{ ts: 1, metrics: { a: 0, v: 1 } }] }]);
      const second = store.append([{ deviceId: "x", seq: 2, receivedAt: 2, readings: [{ ts: 1, metrics: { v: 2 } }] }]);
      const read = store.raw({ deviceId: "x", metric: "v", from: 0, to: 10, limit: 10 });
      await Promise.all([first, second]);
      assert.deepEqual(await read, [{ ts: 1, metric: "v", value: 2 }]);
      await eventually(() => countRows(path, "reading_log") === 1, "the round has merged and cut rows 1–2");
      assert.deepEqual(await store.raw({ deviceId: "x", metric: "v", from: 0, to: 10, limit: 10 }), [{ ts: 1, metric: "v", value: 2 }]);
    } finally {
      await store.close();
    }
  });

  test("a failed round is reported, keeps the log, and the next round merges it", async () => {
    const path = freshPath();
    const reasons: string[] = [];
    let failedRounds = 0;
    let mergedValues = 0;
    const store = new SqliteTelemetryStore(path, "full", {
      pacing: { ...BUSY, roundIntervalMs: 20 },
      onMergeError: (reason) => reasons.push(reason),
      metrics: { mergeRound: (values) => (mergedValues += values), mergeFailed: () => failedRounds++ },
    });
    const saboteur = new Database(path);
    try {
      saboteur.exec("CREATE TRIGGER refuse BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'the disk said no'); END");
      await store.append([{ deviceId: "x", seq: 1, receivedAt: 1, readings: [{ ts: 5, metrics: { v: 1 } }] }]);
      await eventually(() => reasons.length > 0, "the failed round is reported");
      assert.match(reasons[0] ?? "", /the disk said no/);
      assert.equal(failedRounds, reasons.length, "each failed round is counted");
      assert.equal(countRows(path, "reading_log"), 1, "the value is still in the log");
      saboteur.exec("DROP TRIGGER refuse");
      await eventually(() => countRows(path, "reading_log") === 0, "a round has emptied the log");
      assert.equal(mergedValues, 1);
      assert.deepEqual(await store.raw({ deviceId: "x", from: 0, to: 10, limit: 10 }), [{ ts: 5, metric: "v", value: 1 }]);
    } finally {
      saboteur.close();
      await store.close();
    }
  });

  test("a commit writes a few log pages, not a page per series", async () => {
    const path = freshPath();
    const store = new SqliteTelemetryStore(path, "full", { pacing: NEVER });
    const observer = new Database(path);
    const oneReadingEach = (seq: number, ts: number): TelemetryBatch[] =>
      Array.from({ length: 100 }, (_, d) => ({
        deviceId: `dev-${d}`,
        seq,
        receivedAt: ts,
        readings: [{ ts, metrics: { m1: seq, m2: seq, m3: seq, m4: seq, m5: seq } }],
      }));
    try {
      // 500 series with 100 values each: a couple of pages of their own per series.
      for (let seq = 1; seq <= 100; seq++) await store.append(oneReadingEach(seq, seq * 1_000));
      await store.countValues();
      observer.pragma("wal_checkpoint(TRUNCATE)");
      await store.append(oneReadingEach(101, 101_000));
      const [{ log: framesWritten }] = observer.pragma("wal_checkpoint(PASSIVE)") as [{ log: number }];
      assert.ok(framesWritten > 0 && framesWritten < 20, `one commit of 500 values wrote ${framesWritten} pages`);
      assert.equal(await store.countValues(), 50_500);
    } finally {
      observer.close();
      await store.close();
    }
  });
});
