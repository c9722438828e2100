import { Worker } from "node:worker_threads";
import type {
  AppendOutcome,
  HistoryBucket,
  HistoryQuery,
  LatestValue,
  MetricEntry,
  RawPoint,
  RawQuery,
  TelemetryBatch,
  TelemetryStore,
} from "../telemetry-store.js";
import type { StoreAnswer, StoreCall, StoreMethod, StoreMetrics, StoreReport } from "./store-messages.js";
import type { StoreRecipe } from "./store-recipe.js";

/** Raised for every call once the worker has died; the hub refuses batches (devices retry) and reports not ready. */
export class StoreWorkerGoneError extends Error {
  override name = "StoreWorkerGoneError";
  /** Read by the HTTP layer: 503, not 500. */
  readonly storeUnavailable = true;
}

/**
 * A telemetry store (embedded SQLite, or InfluxDB with its spool) run on a worker thread.
 * Both commit synchronously to SQLite: on the main thread every synced commit would stall the
 * sockets, acks and live fan-out for the length of an fsync. Here the main thread only posts
 * batches and awaits the answers; the store's metric reports come back to `metrics`.
 */
export class WorkerTelemetryStore implements TelemetryStore {
  readonly kind: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private gone: Error | undefined;
  private readonly started: Promise<void>;

  /** Starts the worker; `ready()` resolves once the store is open (its database migrated). */
  constructor(
    recipe: StoreRecipe,
    private readonly metrics?: StoreMetrics,
  ) {
    this.kind = recipe.kind;
    this.worker = new Worker(new URL("./telemetry-store-worker.js", import.meta.url), { workerData: recipe });
    this.started = new Promise((resolve, reject) => this.pending.set(0, { resolve: () => resolve(), reject }));
    this.worker.on("message", (message: StoreAnswer | StoreReport) => {
      if ("report" in message) (this.metrics?.[message.report] as ((...args: number[]) => void) | undefined)?.(...message.args);
      else this.settle(message);
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new StoreWorkerGoneError(`the telemetry store's worker exited (code ${code})`)));
  }

  /** Resolves once the database is open; rejects with the worker's error if it could not be. */
  ready(): Promise<void> {
    return this.started;
  }

  append(batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> {
    return this.call("append", batches) as Promise<AppendOutcome[]>;
  }
  metricTypes(): Promise<MetricEntry[]> {
    return this.call("metricTypes") as Promise<MetricEntry[]>;
  }
  lastSequence(deviceId: string): Promise<number> {
    return this.call("lastSequence", deviceId) as Promise<number>;
  }
  latest(deviceId: string): Promise<LatestValue[]> {
    return this.call("latest", deviceId) as Promise<LatestValue[]>;
  }
  history(query: HistoryQuery): Promise<HistoryBucket[]> {
    return this.call("history", query) as Promise<HistoryBucket[]>;
  }
  raw(query: RawQuery): Promise<RawPoint[]> {
    return this.call("raw", query) as Promise<RawPoint[]>;
  }
  countRaw(query: RawQuery): Promise<number> {
    return this.call("countRaw", query) as Promise<number>;
  }
  countValues(deviceId?: string): Promise<number> {
    return this.call("countValues", deviceId) as Promise<number>;
  }
  forgetDevice(deviceId: string): Promise<void> {
    return this.call("forgetDevice", deviceId) as Promise<void>;
  }
  ping(): Promise<void> {
    return this.call("ping") as Promise<void>;
  }

  async close(): Promise<void> {
    if (this.gone) return;
    await this.call("close");
    await this.worker.terminate();
    this.gone = new StoreWorkerGoneError("the telemetry store is closed");
  }

  private async call(method: StoreMethod | "close", ...args: unknown[]): Promise<unknown> {
    await this.started;
    if (this.gone) throw this.gone;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  private settle(answer: StoreAnswer): void {
    const waiting = this.pending.get(answer.id);
    if (!waiting) return;
    this.pending.delete(answer.id);
    // Only a call in progress keeps the process alive: a forgotten idle store must not.
    if (this.pending.size === 0) this.worker.unref();
    if (answer.ok) waiting.resolve(answer.value);
    else waiting.reject(Object.assign(new Error(answer.error.message), answer.error));
  }

  private fail(error: Error): void {
    this.gone ??= error instanceof StoreWorkerGoneError ? error : new StoreWorkerGoneError(error.message);
    for (const waiting of this.pending.values()) waiting.reject(this.gone);
    this.pending.clear();
  }
}
