import type pino from "pino";
import type { HubMetrics } from "../metrics.js";
import type { AppendOutcome, TelemetryBatch, TelemetryStore } from "../storage/telemetry-store.js";

/** A write that was dropped before reaching the store because its session gave up on it. */
export class WriteCancelledError extends Error {
  constructor() {
    super("write cancelled: an earlier batch of the same session failed");
    this.name = "WriteCancelledError";
  }
}

/** A batch waiting for a commit, and who is told how it went. */
export interface PendingWrite {
  readonly batch: TelemetryBatch;
  /**
   * Asked just before the commit: a session whose earlier write failed cancels the later ones
   * (they fail with `WriteCancelledError`), so a device's later batch never becomes durable
   * ahead of an earlier one.
   */
  isCancelled(): boolean;
  /** The commit made the batch durable, or found it stored already. */
  settled(outcome: AppendOutcome): void;
  /** The commit failed, or the write was cancelled. */
  failed(error: Error): void;
}

export interface BatchWriterOptions {
  /** Most batches in one store commit. */
  maxBatchesPerCommit: number;
  metrics: HubMetrics;
  log: pino.Logger;
}

/**
 * Group commit: batches from every session that arrive while a commit is running go into
 * the next one, so a commit's cost (an fsync, an HTTP request) is shared. Commits run one
 * at a time, in arrival order, so each device's batches reach the store in sequence order.
 */
export class BatchWriter {
  private queue: PendingWrite[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: TelemetryStore,
    private readonly options: BatchWriterOptions,
  ) {}

  /**
   * Queue a batch; `write` is told once the batch is durable (or found to be a duplicate) or
   * has failed. One object per batch and no promise: a hub takes thousands a second.
   */
  submit(write: PendingWrite): void {
    this.queue.push(write);
    if (!this.running) {
      this.running = true;
      setImmediate(this.commitNextSoon);
    }
  }

  /** Number of batches waiting for a commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when every queued batch has been committed or failed. */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readonly commitNextSoon = (): void => void this.commitNext();

  private async commitNext(): Promise<void> {
    const taken = this.queue.splice(0, this.options.maxBatchesPerCommit);
    const group: PendingWrite[] = [];
    for (const write of taken) {
      if (write.isCancelled()) this.tell(write, new WriteCancelledError());
      else group.push(write);
    }
    if (group.length > 0) await this.commit(group);
    if (this.queue.length > 0) {
      // Yield so that sockets are read between commits.
      setImmediate(this.commitNextSoon);
      return;
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async commit(group: PendingWrite[]): Promise<void> {
    const { metrics } = this.options;
    const startedAt = performance.now();
    const batches = group.map((write) => write.batch);
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.store.append(batches);
    } catch (error) {
      metrics.storeWriteLatency.observe((performance.now() - startedAt) / 1000);
      metrics.storeWriteErrors.inc();
      this.options.log.error({ err: error, batches: group.length, store: this.store.kind }, "telemetry store commit failed");
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const write of group) this.tell(write, failure);
      return;
    }
    metrics.storeWriteLatency.observe((performance.now() - startedAt) / 1000);
    metrics.storeBatchesPerCommit.observe(group.length);
    let readings = 0;
    for (let i = 0; i < group.length; i++) {
      const write = group[i] as PendingWrite;
      const outcome = outcomes[i] as AppendOutcome;
      if (outcome === "stored") readings += write.batch.readings.length;
      else metrics.batchesDuplicate.inc();
      this.tell(write, outcome);
    }
    metrics.readingsStored.inc(readings);
  }

  /** Tell a write its fate; one that throws is logged and does not keep the others from hearing theirs. */
  private tell(write: PendingWrite, result: AppendOutcome | Error): void {
    try {
      if (result instanceof Error) write.failed(result);
      else write.settled(result);
    } catch (thrown) {
      this.options.log.error({ err: thrown }, "a batch's commit handler failed");
    }
  }
}
