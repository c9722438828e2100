import type { Reading } from "../../protocol/index.js";

/** A closed batch waiting in the buffer for the hub's acknowledgement. */
export interface BufferedBatch {
  /** Sequence number the batch travels with (`batch.seq`). */
  readonly seq: number;
  readonly readings: readonly Reading[];
}

/** What a buffer operation removed: how many batches and how many readings they held. */
export interface RemovedCount {
  batches: number;
  readings: number;
}

/** Result of {@link OfflineBuffer.append}: the new batch, and what the overflow policy dropped to make room. */
export interface AppendResult {
  batch: BufferedBatch;
  /** Oldest batches dropped because the buffer exceeded its bound (may include `batch` itself if it alone is too big). */
  dropped: RemovedCount;
}

/**
 * Where the client keeps closed batches until the hub acknowledges them. Bounded by readings:
 * when full, the OLDEST batches are dropped and reported. It assigns sequence numbers and
 * remembers whether they were ever confirmed by a hub (`synced`).
 *
 * Operations are synchronous: the client relies on their order (append, ack, resync) and an
 * implementation that persists writes before returning (see `FileBuffer`).
 */
export interface OfflineBuffer {
  /** False until a hub's `welcome` confirmed the numbering (see {@link resync}). */
  readonly synced: boolean;
  /** The sequence number the next appended batch gets. */
  readonly nextSeq: number;
  readonly batchCount: number;
  readonly readingCount: number;
  /** Store readings as a new batch numbered `nextSeq`, then enforce the bound. */
  append(readings: readonly Reading[]): AppendResult;
  /** The oldest buffered batch with `seq >= fromSeq`. */
  firstFrom(fromSeq: number): BufferedBatch | undefined;
  /** Every buffered batch, oldest first. */
  batches(): IterableIterator<BufferedBatch>;
  /** Cumulative: remove every batch with `seq <= seq`. */
  acknowledge(seq: number): RemovedCount;
  /** Remove one batch (refused permanently by the hub); undefined when it is not buffered. */
  remove(seq: number): BufferedBatch | undefined;
  /**
   * Add `deltaMs` to the timestamp of every reading in batches with `seq >= fromSeq`: readings
   * stamped on the device clock before the first `welcome` measured its offset to the hub's.
   * Called before {@link resync}, so `fromSeq` is in the numbering the batches were appended with.
   * Answers how many readings it moved.
   */
  shiftTimestamps(fromSeq: number, deltaMs: number): number;
  /**
   * Align with the hub's last durable sequence number from `welcome.seq`. Unsynced: renumber
   * the buffered batches from `hubLastSeq + 1` and become synced. Synced: drop batches with
   * `seq <= hubLastSeq` (durable) and make `nextSeq > hubLastSeq`. Returns what was dropped.
   */
  resync(hubLastSeq: number): RemovedCount;
  /** Release resources (files); the buffer must not be used afterwards. */
  close(): void;
}
