import type { MetricValue } from "@telehub/device-client/protocol";

/** One reading as the hub stores it: timestamp on the hub's time base, integer ms. */
export interface StoredReading {
  ts: number;
  metrics: Record<string, MetricValue>;
}

/** A device batch after validation, on its way to durable storage. */
export interface TelemetryBatch {
  deviceId: string;
  /** The device's batch sequence number (deduplication key with `deviceId`). */
  seq: number;
  /** Hub clock when the batch arrived (ms). */
  receivedAt: number;
  readings: StoredReading[];
}

/** `stored`: newly durable; `duplicate`: its sequence number was already durable, nothing written. */
export type AppendOutcome = "stored" | "duplicate";

export interface LatestValue {
  metric: string;
  ts: number;
  value: MetricValue;
  receivedAt: number;
}

export interface HistoryQuery {
  deviceId: string;
  metric: string;
  from: number;
  to: number;
  /** Bucket width in ms (≥ 1). */
  bucketMs: number;
}

/** One time bucket; numeric aggregates are null for buckets of booleans or strings. */
export interface HistoryBucket {
  /** Start of the bucket (ms). */
  ts: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  last: MetricValue;
  count: number;
}

export interface RawQuery {
  deviceId: string;
  metric?: string;
  from: number;
  to: number;
  limit: number;
}

export interface RawPoint {
  ts: number;
  metric: string;
  value: MetricValue;
}

/**
 * Where telemetry becomes durable. Implementations: the embedded SQLite store, InfluxDB.
 * All of them pass `test/contracts/telemetry-store.contract.ts`.
 */
export interface TelemetryStore {
  /** Short name for logs and metrics, e.g. `sqlite`. */
  readonly kind: string;
  /**
   * Make the batches durable, in the order given. A batch whose `seq` is not above the
   * highest durable `seq` of its device is a duplicate and is not written. Resolves only
   * once every stored batch is durable; rejects if none of them could be made durable.
   */
  append(batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]>;
  /** Highest durable batch sequence number of a device, 0 if none. */
  lastSequence(deviceId: string): Promise<number>;
  /** Newest value (by device timestamp) of every metric of a device. */
  latest(deviceId: string): Promise<LatestValue[]>;
  /** Aggregates per bucket over `[from, to)`, oldest first; empty buckets are left out. */
  history(query: HistoryQuery): Promise<HistoryBucket[]>;
  /** Raw values over `[from, to)`, oldest first, at most `limit`. */
  raw(query: RawQuery): Promise<RawPoint[]>;
  /** Number of stored values (one per metric per reading), for a device or all. */
  countValues(deviceId?: string): Promise<number>;
  /** Remove a device's telemetry and sequence state. */
  forgetDevice(deviceId: string): Promise<void>;
  /** Resolves when the store can take writes (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
