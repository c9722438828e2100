import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import type { EvaluationState } from "../src/alarms/evaluation-state.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { openMetadataStore } from "../src/storage/open-metadata-store.js";

/** A state of about 1 KB, as a rate rule's with its samples is. */
function state(i: number, round: number): EvaluationState {
  return {
    ruleId: `rule_${i % 10}`,
    deviceId: `device-${Math.floor(i / 10)}`,
    ruleVersion: 1,
    since: 0,
    watermark: round,
    lastValue: round,
    lastReadingAt: round,
    alarmId: null,
    alarmSeverity: null,
    detail: { samples: Array.from({ length: 32 }, (_, k) => [round * 100 + k, k / 3]) },
  };
}

test("meta.db's WAL is copied back by a thread of its own, long before the hub's connection would checkpoint (1,000 pages)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-meta-wal-"));
  const meta = await openMetadataStore({ ...DEFAULT_CONFIG, dataDir }, pino({ level: "silent" }), Date.now);
  try {
    // The WAL header's checkpoint sequence number goes up each time a writer starts the WAL again
    // from its beginning, which it does only after a checkpoint copied all of it back.
    const restarts = (): number => readFileSync(join(dataDir, "meta.db-wal")).readUInt32BE(12);
    const before = restarts();
    // About 200 pages: a fifth of what makes SQLite's auto-checkpoint run on the writing connection.
    await meta.alarms.saveStates(
      Array.from({ length: 600 }, (_, i) => state(i, 1)),
      [],
    );
    let round = 2;
    const until = Date.now() + 5_000;
    while (restarts() === before && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await meta.alarms.saveStates([state(0, round++)], []);
    }
    assert.notEqual(restarts(), before, "the WAL was never started again: nothing checkpointed it");
    assert.equal((await meta.alarms.loadStates()).length, 600);
  } finally {
    await meta.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
