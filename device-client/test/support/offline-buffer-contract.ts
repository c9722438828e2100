import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OfflineBuffer } from "../../src/node/index.js";
import type { Reading } from "../../src/protocol/index.js";

/** Readings `from`..`from+count-1`, each with metric `n`. */
export function readings(count: number, from = 0): Reading[] {
  return Array.from({ length: count }, (_, i) => ({ ts: 1_700_000_000_000 + from + i, m: { n: from + i } }));
}

const seqs = (buffer: OfflineBuffer): number[] => [...buffer.batches()].map((b) => b.seq);

/**
 * The behaviour every {@link OfflineBuffer} shares (run against each implementation).
 * `open(maxReadings)` returns a fresh, empty buffer; the suite closes it.
 */
export function offlineBufferContract(name: string, open: (maxReadings: number) => Promise<OfflineBuffer>): void {
  describe(`${name} (OfflineBuffer contract)`, () => {
    async function withBuffer(maxReadings: number, body: (buffer: OfflineBuffer) => void | Promise<void>): Promise<void> {
      const buffer = await open(maxReadings);
      try {
        await body(buffer);
      } finally {
        buffer.close();
      }
    }

    test("starts empty and unsynced, numbers batches from 1", () =>
      withBuffer(100, (buffer) => {
        assert.equal(buffer.synced, false);
        assert.equal(buffer.nextSeq, 1);
        assert.equal(buffer.append(readings(2)).batch.seq, 1);
        assert.equal(buffer.append(readings(3)).batch.seq, 2);
        assert.deepEqual(seqs(buffer), [1, 2]);
        assert.equal(buffer.batchCount, 2);
        assert.equal(buffer.readingCount, 5);
      }));

    test("acknowledge is cumulative; remove takes one batch out", () =>
      withBuffer(100, (buffer) => {
        for (let i = 0; i < 5; i++) buffer.append(readings(2, i * 2));
        assert.deepEqual(buffer.acknowledge(2), { batches: 2, readings: 4 });
        assert.deepEqual(seqs(buffer), [3, 4, 5]);
        assert.equal(buffer.remove(4)?.seq, 4);
        assert.equal(buffer.remove(4), undefined);
        assert.deepEqual(seqs(buffer), [3, 5]);
        assert.deepEqual(buffer.acknowledge(1), { batches: 0, readings: 0 });
        assert.equal(buffer.readingCount, 4);
        assert.equal(buffer.nextSeq, 6, "acks never lower nextSeq");
      }));

    test("firstFrom finds the oldest batch at or after a seq", () =>
      withBuffer(100, (buffer) => {
        for (let i = 0; i < 4; i++) buffer.append(readings(1, i));
        buffer.remove(2);
        assert.equal(buffer.firstFrom(0)?.seq, 1);
        assert.equal(buffer.firstFrom(2)?.seq, 3);
        assert.equal(buffer.firstFrom(5), undefined);
      }));

    test("unsynced: resync renumbers buffered batches from welcome.seq + 1, in order, and marks synced", () =>
      withBuffer(100, (buffer) => {
        buffer.append(readings(1, 0));
        buffer.append(readings(1, 1));
        assert.deepEqual(buffer.resync(41), { batches: 0, readings: 0 });
        assert.equal(buffer.synced, true);
        assert.deepEqual(seqs(buffer), [42, 43]);
        assert.deepEqual(buffer.firstFrom(42)?.readings, readings(1, 0));
        assert.equal(buffer.append(readings(1)).batch.seq, 44);
      }));

    test("synced: resync drops batches ≤ welcome.seq and keeps nextSeq above it", () =>
      withBuffer(100, (buffer) => {
        buffer.resync(0);
        for (let i = 0; i < 4; i++) buffer.append(readings(1, i));
        assert.deepEqual(buffer.resync(2), { batches: 2, readings: 2 });
        assert.deepEqual(seqs(buffer), [3, 4]);
        buffer.resync(10);
        assert.deepEqual(seqs(buffer), []);
        assert.equal(buffer.append(readings(1)).batch.seq, 11);
      }));

    test("shiftTimestamps moves the readings of batches from a seq on, and only those", () =>
      withBuffer(100, (buffer) => {
        buffer.append(readings(2, 0));
        buffer.append(readings(2, 2));
        buffer.append([{ m: { n: 9 } }, ...readings(1, 4)]);
        assert.equal(buffer.shiftTimestamps(2, 3_600_000), 4, "readings moved");
        const shifted = (from: number, count: number) => readings(count, from).map((r) => ({ ts: r.ts! + 3_600_000, m: r.m }));
        assert.deepEqual(
          [...buffer.batches()].map((b) => b.readings),
          [readings(2, 0), shifted(2, 2), [{ m: { n: 9 } }, ...shifted(4, 1)]],
        );
        assert.equal(buffer.readingCount, 6);
        buffer.resync(10);
        assert.deepEqual(buffer.firstFrom(12)?.readings, shifted(2, 2), "renumbered after the shift, readings kept");
      }));

    test("overflow drops the oldest batches and reports how many", () =>
      withBuffer(10, (buffer) => {
        for (let i = 0; i < 3; i++) assert.deepEqual(buffer.append(readings(3, i * 3)).dropped, { batches: 0, readings: 0 });
        const { batch, dropped } = buffer.append(readings(4, 9));
        assert.equal(batch.seq, 4);
        assert.deepEqual(dropped, { batches: 1, readings: 3 });
        assert.deepEqual(seqs(buffer), [2, 3, 4]);
        assert.equal(buffer.readingCount, 10);
        assert.deepEqual(buffer.append(readings(5, 13)).dropped, { batches: 2, readings: 6 });
        assert.deepEqual(seqs(buffer), [4, 5]);
      }));
  });
}
