import { type MetricValue, ProtocolError } from "@telehub/device-client/protocol";
import { type MetricEntry, type MetricType, metricTypeOf, type TelemetryBatch } from "../storage/telemetry-store.js";

/** The limits a {@link MetricCatalogue} enforces (`ingest.*` in the hub's configuration). */
export interface MetricCatalogueLimits {
  /** Distinct metric names one device may have. */
  maxMetricsPerDevice: number;
  /** Distinct (device, metric) series over all devices. */
  maxSeries: number;
}

const ARTICLE: Readonly<Record<MetricType, string>> = { number: "a number", boolean: "a boolean", string: "a string" };

/**
 * Every (device, metric) the hub holds, with the type its values have: the first value the hub
 * accepted for a device's metric fixes that metric's type for that device (another device's
 * metric of the same name is its own). Checked before a batch is acknowledged, so no store is
 * ever handed a value it would have to refuse, and one device can never make another device's
 * values unstorable. Kept in memory (loaded from the store at start), bounded by `maxSeries`.
 */
export class MetricCatalogue {
  private readonly devices = new Map<string, Map<string, MetricType>>();
  private series = 0;

  constructor(private readonly limits: MetricCatalogueLimits) {}

  /** Take in what the store holds (at start). Entries beyond the limits are kept: they are stored already. */
  load(entries: readonly MetricEntry[]): void {
    for (const { deviceId, metric, type } of entries) {
      let types = this.devices.get(deviceId);
      if (!types) {
        types = new Map();
        this.devices.set(deviceId, types);
      }
      if (!types.has(metric)) this.series++;
      types.set(metric, type);
    }
  }

  /**
   * Check every value of a batch against the types its device holds and the limits; on success
   * claim the batch's new metrics at once (so the device's next batch, in flight behind it,
   * sees them) and list them in `batch.newMetrics` for the store. Throws `TH_TYPE_CONFLICT` or
   * `TH_METRIC_LIMIT` (with the batch's seq) and claims nothing when the batch is refused.
   */
  admit(batch: TelemetryBatch): void {
    const held = this.devices.get(batch.deviceId);
    let fresh: Map<string, MetricType> | undefined;
    const { readings } = batch;
    for (let i = 0; i < readings.length; i++) {
      const metrics = (readings[i] as TelemetryBatch["readings"][number]).metrics;
      for (const metric in metrics) {
        const type = metricTypeOf(metrics[metric] as MetricValue);
        const known = held?.get(metric) ?? fresh?.get(metric);
        if (known === type) continue;
        if (known !== undefined) {
          throw new ProtocolError(
            "TH_TYPE_CONFLICT",
            `reading ${i}: metric ${JSON.stringify(metric)} holds ${known} values; this batch sent ${ARTICLE[type]}`,
            { seq: batch.seq },
          );
        }
        fresh ??= new Map();
        fresh.set(metric, type);
      }
    }
    if (fresh === undefined) return;
    this.checkLimits(batch, held?.size ?? 0, fresh.size);
    let types = held;
    if (!types) {
      types = new Map();
      this.devices.set(batch.deviceId, types);
    }
    const newMetrics: { metric: string; type: MetricType }[] = [];
    for (const [metric, type] of fresh) {
      types.set(metric, type);
      newMetrics.push({ metric, type });
    }
    this.series += fresh.size;
    batch.newMetrics = newMetrics;
  }

  /** The write of an admitted batch failed: its new metrics are not the device's after all. */
  release(batch: TelemetryBatch): void {
    const { newMetrics } = batch;
    if (!newMetrics) return;
    const types = this.devices.get(batch.deviceId);
    if (!types) return;
    for (const { metric } of newMetrics) if (types.delete(metric)) this.series--;
    if (types.size === 0) this.devices.delete(batch.deviceId);
  }

  /** The device was deleted (with its telemetry): its metrics and their types go too. */
  forgetDevice(deviceId: string): void {
    const types = this.devices.get(deviceId);
    if (!types) return;
    this.series -= types.size;
    this.devices.delete(deviceId);
  }

  /** The type a device's metric holds, if it has one. */
  typeOf(deviceId: string, metric: string): MetricType | undefined {
    return this.devices.get(deviceId)?.get(metric);
  }

  /** Distinct (device, metric) series held. */
  get size(): number {
    return this.series;
  }

  private checkLimits(batch: TelemetryBatch, heldCount: number, freshCount: number): void {
    const { maxMetricsPerDevice, maxSeries } = this.limits;
    if (heldCount + freshCount > maxMetricsPerDevice) {
      throw new ProtocolError(
        "TH_METRIC_LIMIT",
        `the batch brings ${freshCount} new metric names to the device's ${heldCount}: over maxMetricsPerDevice (${maxMetricsPerDevice})`,
        { seq: batch.seq },
      );
    }
    if (this.series + freshCount > maxSeries) {
      throw new ProtocolError(
        "TH_METRIC_LIMIT",
        `the batch brings ${freshCount} new metric names: the hub holds ${this.series} series, over maxSeries (${maxSeries})`,
        { seq: batch.seq },
      );
    }
  }
}
