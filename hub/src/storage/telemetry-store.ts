import type { MetricValue } from "@telehub/device-client/protocol";

/** One reading as the hub stores it: timestamp on the hub's time base, integer ms. */
export interface StoredReading {
  ts: number;
  metrics: Record<string, MetricValue>;
}

/** The type a metric holds: fixed per (device, metric) by its first stored value. */
export type MetricType = "number" | "boolean" | "string";

/** The type of a value as the catalogue names it. */
export function metricTypeOf(value: MetricValue): MetricType {
  // The type names are `typeof`'s names for the three kinds of value.
  return typeof value as MetricType;
}

/** One (device, metric) the store holds, with its type. */
export interface MetricEntry {
  deviceId: string;
  metric: string;
  type: MetricType;
}

/** A device batch after validation, on its way to durable storage. */
export interface TelemetryBatch {
  deviceId: string;
  /** The device's batch sequence number (deduplication key with `deviceId`). */
  seq: number;
  /** Hub clock when the batch arrived (ms). */
  receivedAt: number;
  readings: StoredReading[];
  /**
   * Metrics this batch is the first to bring for its device (checked and claimed by the hub's
   * metric catalogue before the batch was queued); the store records them, with their type, in
   * the same commit as the readings, so that `metricTypes()` after a restart knows them.
   */
  newMetrics?: readonly { metric: string; type: MetricType }[];
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
  /** Only these metrics (with `metric`, both apply); absent: every metric. */
  metrics?: readonly string[];
  from: number;
  to: number;
  limit: number;
}

/** The metrics a raw query selects: a list (perhaps empty), or undefined for every metric. */
export function selectedMetrics(query: Pick<RawQuery, "metric" | "metrics">): readonly string[] | undefined {
  if (query.metric === undefined) return query.metrics;
  if (query.metrics === undefined) return [query.metric];
  return query.metrics.includes(query.metric) ? [query.metric] : [];
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
  /**
   * Every (device, metric) the store holds and its type: what the hub's metric catalogue
   * loads at start. Includes the metrics of batches that are durable but not yet merged or
   * delivered onwards.
   */
  metricTypes(): Promise<MetricEntry[]>;
  /**
   * A store shared by several hub instances (a cluster): the device's metrics and their types as
   * the store holds them now, another instance's recent ones included; the gateway reads them at
   * each `hello`, so a device that moved keeps its types. A single node's store leaves it out: its
   * catalogue, loaded at start, knows every metric.
   */
  deviceMetricTypes?(deviceId: string): Promise<MetricEntry[]>;
  /** Highest durable batch sequence number of a device, 0 if none. */
  lastSequence(deviceId: string): Promise<number>;
  /** Newest value (by device timestamp) of every metric of a device. */
  latest(deviceId: string): Promise<LatestValue[]>;
  /** Aggregates per bucket over `[from, to)`, oldest first; empty buckets are left out. */
  history(query: HistoryQuery): Promise<HistoryBucket[]>;
  /** Raw values over `[from, to)`, oldest first (then by metric name), at most `limit`. */
  raw(query: RawQuery): Promise<RawPoint[]>;
  /**
   * How many values `raw` would return for the query without its limit, counted up to `limit`
   * (the answer is at most `limit`): the cheap pre-count of an export.
   */
  countRaw(query: RawQuery): Promise<number>;
  /** Number of stored values (one per metric per reading), for a device or all. */
  countValues(deviceId?: string): Promise<number>;
  /** Remove a device's telemetry and sequence state. */
  forgetDevice(deviceId: string): Promise<void>;
  /** Resolves when the store can take writes (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
