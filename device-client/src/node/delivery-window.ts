import type { BatchFrame } from "../protocol/index.js";
import type { OfflineBuffer } from "./buffer/offline-buffer.js";

/**
 * Decides which buffered batches go on the wire next, for one session: at most `limit`
 * batches sent and unacknowledged, in sequence order, and nothing at all during the pause
 * that follows a retryable refusal (after which sending resumes from the refused batch).
 */
export class DeliveryWindow {
  /** Batches sent and not yet acknowledged: seq → time sent. */
  private readonly inFlight = new Map<number, number>();
  /** The next batch to send is the first buffered one with seq ≥ cursor. */
  private cursor = 0;
  /** Lowest seq refused (retryably) and not yet resent. */
  private refusedSeq: number | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;
  private pauseEndsAt = 0;
  private limit = 1;

  constructor(
    private readonly now: () => number,
    private readonly onResume: () => void,
  ) {}

  get paused(): boolean {
    return this.pauseTimer !== undefined;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** A new session: nothing in flight, resend everything from the oldest batch, no pause. */
  reset(limit: number): void {
    this.limit = Math.max(1, limit);
    this.inFlight.clear();
    this.cursor = 0;
    this.refusedSeq = undefined;
    this.clearPause();
  }

  /** The frames to send now (and counts them as in flight). */
  take(buffer: OfflineBuffer): BatchFrame[] {
    const frames: BatchFrame[] = [];
    if (this.paused) return frames;
    while (this.inFlight.size < this.limit) {
      const batch = buffer.firstFrom(this.cursor);
      if (!batch) break;
      const frame: BatchFrame = { t: "batch", seq: batch.seq, r: batch.readings as BatchFrame["r"] };
      if (this.refusedSeq !== undefined) {
        // The refused batch was dropped meanwhile (overflow): tell the hub to resume anyway.
        if (batch.seq > this.refusedSeq) frame.rs = true;
        this.refusedSeq = undefined;
      }
      this.inFlight.set(batch.seq, this.now());
      this.cursor = batch.seq + 1;
      frames.push(frame);
    }
    return frames;
  }

  /** A cumulative ack: forget batches ≤ seq; returns the ack latency of the newest of them. */
  acknowledged(seq: number): number | undefined {
    let newest: number | undefined;
    let sentAt = 0;
    for (const [inFlightSeq, at] of this.inFlight) {
      if (inFlightSeq > seq) continue;
      if (newest === undefined || inFlightSeq > newest) {
        newest = inFlightSeq;
        sentAt = at;
      }
      this.inFlight.delete(inFlightSeq);
    }
    if (this.cursor <= seq) this.cursor = seq + 1;
    return newest === undefined ? undefined : this.now() - sentAt;
  }

  /** A batch refused for good. */
  removed(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** A retryable refusal of `seq`: pause `retryMs`, then resend from `seq` on, in order. */
  refused(seq: number | undefined, retryMs: number): void {
    if (seq !== undefined) {
      for (const inFlightSeq of this.inFlight.keys()) if (inFlightSeq >= seq) this.inFlight.delete(inFlightSeq);
      if (this.cursor > seq) this.cursor = seq;
      if (this.refusedSeq === undefined || seq < this.refusedSeq) this.refusedSeq = seq;
    }
    const endsAt = this.now() + Math.max(0, retryMs);
    if (this.paused && endsAt <= this.pauseEndsAt) return;
    this.clearPause();
    this.pauseEndsAt = endsAt;
    this.pauseTimer = setTimeout(
      () => {
        this.pauseTimer = undefined;
        this.onResume();
      },
      Math.max(0, retryMs),
    );
  }

  dispose(): void {
    this.inFlight.clear();
    this.clearPause();
  }

  private clearPause(): void {
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
  }
}
