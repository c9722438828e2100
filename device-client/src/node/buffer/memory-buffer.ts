import type { Reading } from "../../protocol/index.js";
import { BatchQueue } from "./batch-queue.js";
import type { AppendResult, BufferedBatch, OfflineBuffer, RemovedCount } from "./offline-buffer.js";

/** Options of {@link MemoryBuffer}. */
export interface MemoryBufferOptions {
  /** Most readings held; when exceeded the oldest batches are dropped. Default 10,000. */
  maxReadings?: number;
}

/**
 * An {@link OfflineBuffer} in memory. It starts unsynced (its numbering is new at every process
 * start), so the first `welcome` renumbers its batches above the hub's last durable seq.
 */
export class MemoryBuffer implements OfflineBuffer {
  readonly maxReadings: number;
  private readonly queue = new BatchQueue();
  private closed = false;

  constructor(options: MemoryBufferOptions = {}) {
    this.maxReadings = checkMaxReadings(options.maxReadings ?? 10_000);
  }

  get synced(): boolean {
    return this.queue.synced;
  }
  get nextSeq(): number {
    return this.queue.nextSeq;
  }
  get batchCount(): number {
    return this.queue.batchCount;
  }
  get readingCount(): number {
    return this.queue.readingCount;
  }

  append(readings: readonly Reading[]): AppendResult {
    this.assertOpen();
    const batch = this.queue.push(this.queue.nextSeq, readings);
    const { batches, readings: dropped } = this.queue.dropOldest(this.maxReadings);
    return { batch, dropped: { batches, readings: dropped } };
  }

  firstFrom(fromSeq: number): BufferedBatch | undefined {
    return this.queue.firstFrom(fromSeq);
  }

  batches(): IterableIterator<BufferedBatch> {
    return this.queue.batches();
  }

  acknowledge(seq: number): RemovedCount {
    return this.queue.removeThrough(seq);
  }

  remove(seq: number): BufferedBatch | undefined {
    return this.queue.remove(seq);
  }

  shiftTimestamps(fromSeq: number, deltaMs: number): number {
    return this.queue.shiftTimestamps(fromSeq, deltaMs);
  }

  resync(hubLastSeq: number): RemovedCount {
    return this.queue.resync(hubLastSeq);
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("MemoryBuffer: used after close()");
  }
}

/** Validate a `maxReadings` option. */
export function checkMaxReadings(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`maxReadings must be a positive integer, got ${value}`);
  return value;
}
