import type pino from "pino";
import { DeadLetters, type RefusedLine, writeIsolating } from "./dead-letters.js";
import { type InfluxHttp, InfluxRequestError } from "./influx-http.js";
import type { InfluxStoreMetrics } from "./influx-store-metrics.js";
import { pause } from "./pause.js";
import type { Spool, SpooledRun } from "./spool.js";

export interface SpoolDrainerOptions {
  /** Most points in one `/write`. */
  batchSize: number;
  /** Longest a spooled point waits for a fuller batch. */
  flushIntervalMs: number;
  /** Cap of the exponential backoff between failed writes (a larger `Retry-After` still wins). */
  maxRetryDelayMs: number;
  /** File that collects the line protocol of points InfluxDB rejected. */
  deadLetterPath: string;
  /** Run before the first write and after a `404 database not found` (version detection, database creation). */
  prepare: () => Promise<void>;
  metrics: InfluxStoreMetrics;
  log: pino.Logger;
}

const FIRST_RETRY_DELAY_MS = 100;

export { DEAD_LETTER_MESSAGE } from "./dead-letters.js";

/**
 * Sends the spool to InfluxDB in order, one run of at most `batchSize` points at a time,
 * and removes a run only once InfluxDB has it. Failures are retried forever with capped,
 * jittered backoff; points InfluxDB rejects as malformed are isolated by halving the run,
 * written to the dead-letter file, and do not hold up the rest.
 */
export class SpoolDrainer {
  private closed = false;
  private prepared = false;
  private idle: (() => void) | undefined;
  private backoff: (() => void) | undefined;
  private waiters: { id: number; resolve: () => void }[] = [];
  private loop: Promise<void> = Promise.resolve();
  private failures = 0;
  private readonly deadLetters: DeadLetters;

  constructor(
    private readonly spool: Spool,
    private readonly influx: InfluxHttp,
    private readonly options: SpoolDrainerOptions,
  ) {
    this.deadLetters = new DeadLetters(options.deadLetterPath, options.metrics, options.log);
  }

  start(): void {
    this.updateGauges();
    this.loop = this.run();
  }

  /** New data was spooled: it is sent once a write is full or its flush interval has passed. */
  notify(): void {
    this.updateGauges();
    this.idle?.();
  }

  /** Resolves once every entry spooled before the call has reached InfluxDB, or after `timeoutMs`. */
  delivered(timeoutMs: number): Promise<void> {
    const id = this.spool.newest;
    if (id <= this.spool.delivered) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timeout);
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        resolve();
      };
      const timeout = setTimeout(done, timeoutMs);
      this.waiters.push({ id, resolve: done });
      this.idle?.();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle?.();
    this.backoff?.();
    await this.loop;
    for (const waiter of [...this.waiters]) waiter.resolve();
  }

  /** How long until the spool should be written: 0 now, `Infinity` when it is empty. */
  private dueInMs(): number {
    const oldest = this.spool.oldestSpooledAt();
    if (oldest === undefined) return Number.POSITIVE_INFINITY;
    if (this.spool.points >= this.options.batchSize || this.waiters.length > 0 || this.failures > 0) return 0;
    return Math.max(0, oldest + this.options.flushIntervalMs - Date.now());
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const dueInMs = this.dueInMs();
      if (dueInMs > 0) {
        const wait = pause(Number.isFinite(dueInMs) ? dueInMs : 2 ** 31 - 1);
        this.idle = wait.cut;
        await wait.done;
        this.idle = undefined;
        continue;
      }
      const run = this.spool.oldest(this.options.batchSize);
      if (run === undefined) continue;
      try {
        await this.send(run);
        this.failures = 0;
      } catch (error) {
        if (!this.closed) await this.backOff(error as Error);
      }
    }
  }

  private async send(run: SpooledRun): Promise<void> {
    if (!this.prepared) {
      await this.options.prepare();
      this.prepared = true;
    }
    const startedAt = performance.now();
    // One spool entry (a group commit) can hold more than a write should carry.
    const { batchSize } = this.options;
    const refused: RefusedLine[] = [];
    for (let at = 0; at < run.lines.length; at += batchSize)
      await writeIsolating(this.influx, run.lines.slice(at, at + batchSize), refused);
    this.options.metrics.writeSeconds((performance.now() - startedAt) / 1000);
    this.deadLetters.record(refused);
    this.spool.remove(run);
    this.updateGauges();
    for (const waiter of this.waiters.filter((w) => w.id <= run.throughId)) waiter.resolve();
  }

  private async backOff(error: Error): Promise<void> {
    const { metrics, log, maxRetryDelayMs } = this.options;
    const status = error instanceof InfluxRequestError ? error.status : 0;
    metrics.writeError(status);
    this.updateGauges();
    if (status === 404) this.prepared = false;
    this.failures++;
    const ceiling = Math.min(maxRetryDelayMs, FIRST_RETRY_DELAY_MS * 2 ** Math.min(this.failures - 1, 20));
    const retryAfter = error instanceof InfluxRequestError ? error.retryAfterMs : undefined;
    const delay = Math.max(retryAfter ?? 0, Math.random() * ceiling);
    if (this.failures === 1 || this.failures % 20 === 0) {
      const context = { reason: error.message, failures: this.failures, spooledBytes: this.spool.bytes, retryInMs: Math.round(delay) };
      log.warn(context, "InfluxDB write failed; the data stays in the spool");
    }
    const wait = pause(delay);
    this.backoff = wait.cut;
    await wait.done;
    this.backoff = undefined;
  }

  private updateGauges(): void {
    const oldest = this.spool.oldestSpooledAt();
    const lagSeconds = oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) / 1000;
    this.options.metrics.spool(this.spool.bytes, this.spool.entries, lagSeconds);
  }
}
