import type { Reading } from "../../protocol/index.js";
import type { BufferedBatch, RemovedCount } from "./offline-buffer.js";

/**
 * The in-memory state shared by every buffer: batches in sequence order, the next sequence
 * number and the synced flag. Unbounded; the buffers enforce their bound with {@link dropOldest}.
 */
export class BatchQueue {
  private items: BufferedBatch[] = [];
  private readings = 0;

  constructor(
    public nextSeq = 1,
    public synced = false,
  ) {}

  get batchCount(): number {
    return this.items.length;
  }

  get readingCount(): number {
    return this.readings;
  }

  /** Add a batch with a given seq (which must be above every buffered one). */
  push(seq: number, readings: readonly Reading[]): BufferedBatch {
    const batch: BufferedBatch = { seq, readings };
    this.items.push(batch);
    this.readings += readings.length;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    return batch;
  }

  firstFrom(fromSeq: number): BufferedBatch | undefined {
    const index = this.indexFrom(fromSeq);
    return this.items[index];
  }

  batches(): IterableIterator<BufferedBatch> {
    return this.items.values();
  }

  oldest(): BufferedBatch | undefined {
    return this.items[0];
  }

  /** Remove every batch with `seq <= seq`. */
  removeThrough(seq: number): RemovedCount {
    const end = this.indexFrom(seq + 1);
    const removed = this.items.splice(0, end);
    const readings = removed.reduce((sum, b) => sum + b.readings.length, 0);
    this.readings -= readings;
    return { batches: removed.length, readings };
  }

  remove(seq: number): BufferedBatch | undefined {
    const index = this.indexFrom(seq);
    const batch = this.items[index];
    if (batch?.seq !== seq) return undefined;
    this.items.splice(index, 1);
    this.readings -= batch.readings.length;
    return batch;
  }

  /** Drop oldest batches until at most `maxReadings` readings remain; returns the last dropped seq too. */
  dropOldest(maxReadings: number): RemovedCount & { throughSeq: number } {
    let throughSeq = 0;
    let batches = 0;
    let readings = 0;
    while (this.readings > maxReadings && this.items.length > 0) {
      const batch = this.items.shift()!;
      this.readings -= batch.readings.length;
      throughSeq = batch.seq;
      batches++;
      readings += batch.readings.length;
    }
    return { batches, readings, throughSeq };
  }

  /** See {@link OfflineBuffer.shiftTimestamps}. */
  shiftTimestamps(fromSeq: number, deltaMs: number): number {
    let readings = 0;
    for (let i = this.indexFrom(fromSeq); i < this.items.length; i++) {
      const batch = this.items[i]!;
      this.items[i] = { seq: batch.seq, readings: shiftReadings(batch.readings, deltaMs) };
      readings += batch.readings.length;
    }
    return readings;
  }

  /** See {@link OfflineBuffer.resync}. */
  resync(hubLastSeq: number): RemovedCount {
    if (!this.synced) {
      let seq = hubLastSeq;
      this.items = this.items.map((b) => ({ seq: ++seq, readings: b.readings }));
      this.nextSeq = seq + 1;
      this.synced = true;
      return { batches: 0, readings: 0 };
    }
    const removed = this.removeThrough(hubLastSeq);
    if (this.nextSeq <= hubLastSeq) this.nextSeq = hubLastSeq + 1;
    return removed;
  }

  /** Index of the first batch with `seq >= seq` (binary search; batches are sorted). */
  private indexFrom(seq: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid]!.seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The readings with `deltaMs` added to each timestamp (readings without one are left to the hub). */
export function shiftReadings(readings: readonly Reading[], deltaMs: number): Reading[] {
  return readings.map((r) => (r.ts === undefined ? r : { ts: r.ts + deltaMs, m: r.m }));
}
