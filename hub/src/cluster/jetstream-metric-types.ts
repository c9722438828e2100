import type { KV } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/transport-node";
import type pino from "pino";
import type { DeviceMetric } from "../storage/influx/spool.js";
import type { MetricEntry, MetricType } from "../storage/telemetry-store.js";
import { deviceIdOfToken, deviceToken } from "./device-token.js";
import { readJson, updateJson } from "./jetstream-kv-cas.js";

/** A device's metrics and their types, as the bucket holds them: metric → type. */
type TypeRecord = Record<string, MetricType>;

const PREFIX = "types.";
const keyOf = (deviceId: string): string => `${PREFIX}${deviceToken(deviceId)}`;

/**
 * Every device's metric types, shared by the instances: one entry per device in the sequences
 * bucket (`types.<deviceToken>` → `{ metric: type }`; a device token holds no `.`, so these keys
 * never meet the sequence entries). Written before the batch that brings a metric is published,
 * so the types of batches still in the stream are known (`metricTypes()`); cached per device and
 * kept fresh by a watch on the bucket (another instance may record a device's new metric).
 */
export class SharedMetricTypes {
  private readonly cache = new Map<string, TypeRecord>();
  private watcher: QueuedIterator<unknown> | undefined;

  constructor(
    private readonly kv: KV,
    /** A device's types changed in the bucket (another instance wrote them). */
    private readonly changed: (deviceId: string) => void,
    private readonly log: pino.Logger,
  ) {}

  /** Follow other instances' writes from now on. */
  async watch(): Promise<void> {
    const watcher = await this.kv.watch({ key: `${PREFIX}>`, include: "updates" });
    this.watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        const deviceId = deviceIdOfToken(entry.key.slice(PREFIX.length));
        if (entry.operation === "PUT" && entry.length > 0) this.cache.set(deviceId, entry.json<TypeRecord>());
        else this.cache.delete(deviceId);
        this.changed(deviceId);
      }
    })().catch((error: unknown) => this.log.warn({ err: error }, "the watch of the shared metric types ended"));
  }

  /** Read the types of the devices not cached yet. */
  async load(deviceIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(deviceIds)].filter((deviceId) => !this.cache.has(deviceId));
    await Promise.all(
      missing.map(async (deviceId) => {
        const { value } = await readJson<TypeRecord>(this.kv, keyOf(deviceId));
        if (!this.cache.has(deviceId)) this.cache.set(deviceId, value ?? {});
      }),
    );
  }

  /** A device's metrics as cached (`load` first). */
  of(deviceId: string): DeviceMetric[] {
    return Object.entries(this.cache.get(deviceId) ?? {}).map(([metric, type]) => ({ metric, type }));
  }

  /** Add (or retype) metrics of a device; a type given here replaces the one held (the hub's catalogue decided it). */
  async record(deviceId: string, metrics: readonly DeviceMetric[]): Promise<void> {
    const { value } = await updateJson<TypeRecord>(this.kv, keyOf(deviceId), (current = {}) =>
      metrics.every(({ metric, type }) => current[metric] === type)
        ? undefined
        : { ...current, ...Object.fromEntries(metrics.map(({ metric, type }) => [metric, type])) },
    );
    this.cache.set(deviceId, value ?? {});
  }

  /** Every device's metrics in the bucket. */
  async all(): Promise<MetricEntry[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${PREFIX}>`)) keys.push(key);
    const deviceIds = keys.map((key) => deviceIdOfToken(key.slice(PREFIX.length)));
    for (const deviceId of deviceIds) this.cache.delete(deviceId);
    await this.load(deviceIds);
    return deviceIds.flatMap((deviceId) => this.of(deviceId).map(({ metric, type }) => ({ deviceId, metric, type })));
  }

  async forget(deviceId: string): Promise<void> {
    await this.kv.delete(keyOf(deviceId));
    this.cache.delete(deviceId);
  }

  close(): void {
    this.watcher?.stop();
  }
}
