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

interface PendingWrite {
  batch: TelemetryBatch;
  isCancelled: () => boolean;
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: Error) => void;
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
   * Queue a batch; resolves once it is durable (or found to be a duplicate). `isCancelled`
   * is asked just before the commit: a session whose earlier write failed cancels the later
   * ones, so a device's later batch never becomes durable ahead of an earlier one.
   */
  write(batch: TelemetryBatch, isCancelled: () => boolean = () => false): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, isCancelled, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.commitNext());
      }
    });
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

  private async commitNext(): Promise<void> {
    const taken = this.queue.splice(0, this.options.maxBatchesPerCommit);
    const group: PendingWrite[] = [];
    for (const write of taken) {
      if (write.isCancelled()) write.reject(new WriteCancelledError());
      else group.push(write);
    }
    if (group.length > 0) await this.commit(group);
    if (this.queue.length > 0) {
      // Yield so that sessions react to this commit's failures before the next commit.
      setImmediate(() => void this.commitNext());
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
    const stop = (): void => metrics.storeWriteLatency.observe((performance.now() - startedAt) / 1000);
    try {
      const outcomes = await this.store.append(group.map((w) => w.batch));
      stop();
      metrics.storeBatchesPerCommit.observe(group.length);
      let readings = 0;
      group.forEach((write, i) => {
        const outcome = outcomes[i] as AppendOutcome;
        if (outcome === "stored") readings += write.batch.readings.length;
        else metrics.batchesDuplicate.inc();
        write.resolve(outcome);
      });
      metrics.readingsStored.inc(readings);
    } catch (error) {
      stop();
      metrics.storeWriteErrors.inc();
      this.options.log.error({ err: error, batches: group.length, store: this.store.kind }, "telemetry store commit failed");
      for (const write of group) write.reject(error as Error);
    }
  }
}
