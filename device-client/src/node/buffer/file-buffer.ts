import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { Reading } from "../../protocol/index.js";
import { BatchQueue } from "./batch-queue.js";
import { encodeRecord, type LogRecord, parseLog } from "./log-records.js";
import { checkMaxReadings } from "./memory-buffer.js";
import type { AppendResult, BufferedBatch, OfflineBuffer, RemovedCount } from "./offline-buffer.js";

/** Options of {@link FileBuffer}. */
export interface FileBufferOptions {
  /** Most readings held; when exceeded the oldest batches are dropped. Default 10,000. */
  maxReadings?: number;
  /** fsync the file after every append and resync, so a power cut loses no closed batch. Default true. */
  fsync?: boolean;
  /** Compact only once the log holds at least this many records (and most are dead). Default 1,000. */
  compactMinRecords?: number;
}

/**
 * An {@link OfflineBuffer} that survives process restarts: an append-only log in one file
 * (see `log-records.ts`), replayed at open. A torn last record (a crash mid-write) is ignored
 * and cut off. When most records are dead the log is rewritten to a temp file and renamed
 * over the old one. Writes are synchronous so the client's operations keep their order.
 */
export class FileBuffer implements OfflineBuffer {
  readonly maxReadings: number;
  /** Records in the file, live or dead (for the compaction decision). */
  private records: number;
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    private readonly queue: BatchQueue,
    records: number,
    private readonly options: Required<FileBufferOptions>,
  ) {
    this.maxReadings = options.maxReadings;
    this.records = records;
    this.fd = openSync(path, "a");
  }

  /** Open (or create) the log at `path` and replay it. */
  static async open(path: string, options: FileBufferOptions = {}): Promise<FileBuffer> {
    const resolved: Required<FileBufferOptions> = {
      maxReadings: checkMaxReadings(options.maxReadings ?? 10_000),
      fsync: options.fsync ?? true,
      compactMinRecords: options.compactMinRecords ?? 1_000,
    };
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const { records, validBytes } = bytes ? parseLog(bytes) : { records: [], validBytes: 0 };
    if (bytes && validBytes < bytes.length) await truncate(path, validBytes);
    const queue = replay(records);
    const buffer = new FileBuffer(path, queue, records.length, resolved);
    if (records.length === 0) buffer.rewrite();
    else if (queue.readingCount > resolved.maxReadings) buffer.dropOverflow();
    return buffer;
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
    const seq = this.queue.nextSeq;
    this.write({ a: seq, r: readings }, this.options.fsync);
    const batch = this.queue.push(seq, readings);
    return { batch, dropped: this.dropOverflow() };
  }

  firstFrom(fromSeq: number): BufferedBatch | undefined {
    return this.queue.firstFrom(fromSeq);
  }

  batches(): IterableIterator<BufferedBatch> {
    return this.queue.batches();
  }

  // Acks and removals are not fsynced: losing one only causes a harmless resend.
  acknowledge(seq: number): RemovedCount {
    const removed = this.queue.removeThrough(seq);
    if (removed.batches > 0) this.writeAndMaybeCompact({ k: seq });
    return removed;
  }

  remove(seq: number): BufferedBatch | undefined {
    const removed = this.queue.remove(seq);
    if (removed) this.writeAndMaybeCompact({ x: seq });
    return removed;
  }

  shiftTimestamps(fromSeq: number, deltaMs: number): number {
    const readings = this.queue.shiftTimestamps(fromSeq, deltaMs);
    if (readings > 0) this.writeAndMaybeCompact({ t: fromSeq, o: deltaMs }, this.options.fsync);
    return readings;
  }

  resync(hubLastSeq: number): RemovedCount {
    const removed = this.queue.resync(hubLastSeq);
    this.writeAndMaybeCompact({ s: hubLastSeq }, this.options.fsync);
    return removed;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private dropOverflow(): RemovedCount {
    const { batches, readings, throughSeq } = this.queue.dropOldest(this.maxReadings);
    if (batches > 0) this.writeAndMaybeCompact({ d: throughSeq });
    return { batches, readings };
  }

  private writeAndMaybeCompact(record: LogRecord, sync = false): void {
    this.write(record, sync);
    const live = this.queue.batchCount + 1;
    if (this.records >= this.options.compactMinRecords && this.records - live > live) this.rewrite();
  }

  private write(record: LogRecord, sync: boolean): void {
    if (this.fd === undefined) throw new Error(`FileBuffer ${this.path}: used after close()`);
    writeSync(this.fd, encodeRecord(record));
    if (sync) fsyncSync(this.fd);
    this.records++;
  }

  /** Compaction: the live state to a temp file, fsync, rename over the log. */
  private rewrite(): void {
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, "w");
    try {
      let text = encodeRecord({ h: 1, n: this.queue.nextSeq, y: this.queue.synced });
      for (const batch of this.queue.batches()) text += encodeRecord({ a: batch.seq, r: batch.readings });
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    syncDirectory(dirname(this.path));
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.path, "a");
    this.records = this.queue.batchCount + 1;
  }
}

function replay(records: readonly LogRecord[]): BatchQueue {
  const queue = new BatchQueue();
  for (const record of records) {
    if ("h" in record) {
      queue.nextSeq = Math.max(queue.nextSeq, record.n);
      queue.synced = record.y;
    } else if ("a" in record) queue.push(record.a, record.r);
    else if ("k" in record) queue.removeThrough(record.k);
    else if ("d" in record) queue.removeThrough(record.d);
    else if ("x" in record) queue.remove(record.x);
    else if ("t" in record) queue.shiftTimestamps(record.t, record.o);
    else queue.resync(record.s);
  }
  return queue;
}

/** Make a rename durable (a no-op where directories cannot be opened, e.g. Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
