import type { InfluxStoreMetrics } from "../influx/influx-store-metrics.js";
import type { SqliteStoreMetrics } from "../sqlite/sqlite-store-metrics.js";
import type { TelemetryStore } from "../telemetry-store.js";

/** The store methods a worker answers: everything but `kind` and `close`. */
export type StoreMethod = Exclude<keyof TelemetryStore, "kind" | "close">;

/** Main thread → worker: call a method, or close the store (`method: "close"`). */
export interface StoreCall {
  id: number;
  method: StoreMethod | "close";
  args: unknown[];
}

/** An error as it crosses from the worker: what decides how the hub answers. */
export interface StoreError {
  name: string;
  message: string;
  /** SQLite's result code (`SQLITE_BUSY`, …). */
  code?: string;
  /** Set by stores whose "cannot serve now" errors are not SQLite's. */
  storeUnavailable?: true;
}

/** Worker → main thread: the answer to one call (id 0 answers the start). */
export type StoreAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: StoreError };

/** Every metric report a store in a worker can make. */
export type StoreMetrics = InfluxStoreMetrics & SqliteStoreMetrics;

/** Worker → main thread: one of the store's metric reports, recorded in the hub's registry. */
export interface StoreReport {
  report: keyof StoreMetrics;
  args: number[];
}
