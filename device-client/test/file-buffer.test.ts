import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { FileBuffer } from "../src/node/index.js";
import { offlineBufferContract, readings } from "./support/offline-buffer-contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-file-buffer-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `buffer-${++files}.log`);

offlineBufferContract("FileBuffer", (maxReadings) => FileBuffer.open(freshPath(), { maxReadings, fsync: false }));

describe("FileBuffer persistence", () => {
  test("a timestamp shift survives reopening, before and after compaction", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path, { compactMinRecords: 1 });
    first.append(readings(1, 0));
    first.append(readings(2, 1));
    first.shiftTimestamps(2, -5_000);
    const lines = readFileSync(path, "utf8").split("\n").length;
    assert.equal(first.shiftTimestamps(9, 1_000), 0, "nothing from seq 9 on");
    assert.equal(readFileSync(path, "utf8").split("\n").length, lines, "and no record written for it");
    first.resync(7);
    first.close();
    const expected = [
      [8, readings(1, 0)],
      [9, readings(2, 1).map((r) => ({ ts: r.ts! - 5_000, m: r.m }))],
    ];
    const second = await FileBuffer.open(path);
    assert.deepEqual(
      [...second.batches()].map((b) => [b.seq, b.readings]),
      expected,
    );
    second.close();
    const compacted = await FileBuffer.open(path, { compactMinRecords: 1 });
    // Dead records (batches added and taken out) until the log is rewritten from the live state.
    for (let i = 0; i < 4; i++) compacted.remove(compacted.append(readings(1, 100 + i)).batch.seq);
    compacted.close();
    assert.doesNotMatch(readFileSync(path, "utf8"), /"t":/, "compacted: the shift is in the batches, not a record");
    const third = await FileBuffer.open(path);
    assert.deepEqual(
      [...third.batches()].map((b) => [b.seq, b.readings]),
      expected,
    );
    third.close();
  });

  test("reopening keeps batches, nextSeq and the synced flag", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path);
    first.append(readings(2, 0));
    first.resync(40);
    first.append(readings(2, 2));
    first.append(readings(2, 4));
    first.acknowledge(41);
    first.append(readings(1, 6));
    first.remove(43);
    first.close();

    const second = await FileBuffer.open(path);
    try {
      assert.equal(second.synced, true);
      assert.deepEqual(
        [...second.batches()].map((b) => [b.seq, b.readings]),
        [
          [42, readings(2, 2)],
          [44, readings(1, 6)],
        ],
      );
      assert.equal(second.nextSeq, 45);
      assert.equal(second.append(readings(1)).batch.seq, 45);
    } finally {
      second.close();
    }
  });

  test("nextSeq survives even when every batch was acknowledged", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path);
    first.resync(0);
    first.append(readings(1));
    first.append(readings(1));
    first.acknowledge(2);
    first.close();
    const second = await FileBuffer.open(path);
    assert.equal(second.batchCount, 0);
    assert.equal(second.append(readings(1)).batch.seq, 3);
    second.close();
  });

  test("a torn last record (crash mid-write) is ignored and cut off", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path);
    first.append(readings(1, 0));
    first.append(readings(1, 1));
    first.close();
    appendFileSync(path, '{"a":3,"r":[{"ts":17000');

    const second = await FileBuffer.open(path);
    assert.deepEqual(
      [...second.batches()].map((b) => b.seq),
      [1, 2],
    );
    assert.equal(second.append(readings(1, 2)).batch.seq, 3);
    second.close();
    const third = await FileBuffer.open(path);
    assert.deepEqual(
      [...third.batches()].map((b) => b.readings),
      [readings(1, 0), readings(1, 1), readings(1, 2)],
    );
    third.close();
  });

  test("a garbage line stops the replay there", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path, { fsync: false });
    first.append(readings(1, 0));
    first.close();
    appendFileSync(path, '\u0000\u0000\u0000\n{"a":2,"r":[]}\n');
    const second = await FileBuffer.open(path);
    assert.deepEqual(
      [...second.batches()].map((b) => b.seq),
      [1],
    );
    second.close();
  });

  test("compaction rewrites the log when most records are dead, keeping the content", async () => {
    const path = freshPath();
    const buffer = await FileBuffer.open(path, { fsync: false, compactMinRecords: 20 });
    buffer.resync(0);
    for (let i = 0; i < 200; i++) {
      buffer.append(readings(5, i * 5));
      if (i % 2 === 1) buffer.acknowledge(i);
    }
    // 200 appends + 100 acks were written; compaction keeps the log near its live size.
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean).length;
    assert.ok(lines <= 20, `log has ${lines} records for ${buffer.batchCount} live batches (301 without compaction)`);
    const live = [...buffer.batches()].map((b) => [b.seq, b.readings]);
    assert.deepEqual(
      live.map(([seq]) => seq),
      [200],
    );
    buffer.append(readings(1, 999));
    buffer.close();

    const reopened = await FileBuffer.open(path);
    assert.deepEqual(
      [...reopened.batches()].map((b) => [b.seq, b.readings]),
      [...live, [201, readings(1, 999)]],
    );
    assert.equal(reopened.synced, true);
    reopened.close();
    assert.ok(statSync(path).size < 2_000);
  });

  test("overflow drops are persisted too", async () => {
    const path = freshPath();
    const first = await FileBuffer.open(path, { maxReadings: 4 });
    first.append(readings(2, 0));
    first.append(readings(2, 2));
    assert.deepEqual(first.append(readings(2, 4)).dropped, { batches: 1, readings: 2 });
    first.close();
    const second = await FileBuffer.open(path, { maxReadings: 4 });
    assert.deepEqual(
      [...second.batches()].map((b) => b.seq),
      [2, 3],
    );
    second.close();
  });
});
