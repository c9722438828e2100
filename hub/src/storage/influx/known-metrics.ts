import type { MetricValue } from "@telehub/device-client/protocol";
import { type MetricEntry, type MetricType, metricTypeOf, type TelemetryBatch } from "../telemetry-store.js";
import type { DeviceMetric } from "./spool.js";

/** Metrics a commit brings for the first time: device → metric → type. */
export type NewMetrics = Map<string, Map<string, MetricType>>;

/**
 * Which metrics each device has in InfluxDB, and their types: what the store's reads ask for
 * instead of the fleet-wide `SHOW FIELD KEYS`. Durable in the spool (`metric_types`, written in
 * the same commit as the points); cached per device once it was read or written.
 */
export class KnownMetrics {
  private readonly devices = new Map<string, Map<string, MetricType>>();

  constructor(private readonly load: (deviceId: string) => DeviceMetric[]) {}

  /** A device's metrics and their types. */
  of(deviceId: string): ReadonlyMap<string, MetricType> {
    let metrics = this.devices.get(deviceId);
    if (metrics === undefined) {
      metrics = new Map();
      for (const { metric, type } of this.load(deviceId)) metrics.set(metric, type);
      this.devices.set(deviceId, metrics);
    }
    return metrics;
  }

  /** A device's metrics sorted by name. */
  sorted(deviceId: string): DeviceMetric[] {
    const metrics: DeviceMetric[] = [];
    for (const [metric, type] of this.of(deviceId)) metrics.push({ metric, type });
    return metrics.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }

  /**
   * Note in `into` what `batch` brings that the store does not hold: the hub catalogue's
   * `newMetrics` (their types win: the catalogue decided them before the ack; recorded for a
   * duplicate batch too, so the catalogue finds its claims after a restart), and, when the
   * batch is stored, any other metric with the type of its first value (a store used without
   * the hub's catalogue still knows everything it holds).
   */
  collect(batch: TelemetryBatch, stored: boolean, into: NewMetrics): void {
    let fresh = into.get(batch.deviceId);
    if (batch.newMetrics !== undefined && batch.newMetrics.length > 0) {
      fresh ??= new Map();
      into.set(batch.deviceId, fresh);
      for (const { metric, type } of batch.newMetrics) fresh.set(metric, type);
    }
    if (!stored) return;
    const held = this.of(batch.deviceId);
    for (const reading of batch.readings) {
      for (const metric in reading.metrics) {
        if (held.has(metric) || fresh?.has(metric)) continue;
        if (fresh === undefined) {
          fresh = new Map();
          into.set(batch.deviceId, fresh);
        }
        fresh.set(metric, metricTypeOf(reading.metrics[metric] as MetricValue));
      }
    }
  }

  /** The rows to write for what `collect` noted. */
  static entries(metrics: NewMetrics): MetricEntry[] {
    const entries: MetricEntry[] = [];
    for (const [deviceId, fresh] of metrics) for (const [metric, type] of fresh) entries.push({ deviceId, metric, type });
    return entries;
  }

  /** What `collect` noted is durable now. */
  commit(metrics: NewMetrics): void {
    for (const [deviceId, fresh] of metrics) {
      const held = this.of(deviceId) as Map<string, MetricType>;
      for (const [metric, type] of fresh) held.set(metric, type);
    }
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
  }
}
