import type { MetricValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import { type MetricType, metricTypeOf } from "../telemetry-store.js";
import type { InfluxSeries } from "./influx-http.js";
import { quoteString } from "./influxql.js";
import { RECEIVED_FIELD } from "./line-protocol.js";
import { pause } from "./pause.js";
import type { DeviceMetric, Spool } from "./spool.js";

export interface CatalogueBackfillOptions {
  spool: Spool;
  /** Each type's measurement as queries name it. */
  sources: Record<MetricType, string>;
  /** Runs InfluxQL (after the spool has reached InfluxDB). */
  query: (influxql: string) => Promise<InfluxSeries[][]>;
  /** A device's types changed in the spool: drop what is cached of it. */
  refreshed: (deviceId: string) => void;
  /** Wait after a failed read before the next try. */
  retryDelayMs: number;
  log: pino.Logger;
}

const TYPES: readonly MetricType[] = ["number", "boolean", "string"];
const LAST_PREFIX = "last_";

/**
 * A spool created by a hub older than its metric types knows the devices but not their
 * metrics: once, device by device, read the newest value of each of their fields back from
 * InfluxDB (`last(*)`, in the typed measurements and in the numbers' measurement, where older
 * hubs also wrote booleans and strings) and record each field with the type of that value. A
 * type the hub has recorded since stays. Retried until InfluxDB answers.
 */
export class CatalogueBackfill {
  private closed = false;
  private waiting: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly options: CatalogueBackfillOptions) {
    this.loop = options.spool.nextToBackfill() === undefined ? Promise.resolve() : this.run();
  }

  private async run(): Promise<void> {
    const { spool, log } = this.options;
    let devices = 0;
    let failures = 0;
    for (let deviceId = spool.nextToBackfill(); deviceId !== undefined && !this.closed; deviceId = spool.nextToBackfill()) {
      try {
        spool.backfilled(deviceId, await this.read(deviceId));
        this.options.refreshed(deviceId);
        devices++;
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        if (failures++ === 0) log.warn({ reason: (error as Error).message }, "Reading metric types back from InfluxDB failed; retrying");
        const wait = pause(this.options.retryDelayMs);
        this.waiting = wait.cut;
        await wait.done;
      }
    }
    if (devices > 0) log.info({ devices }, "Metric types of the devices written by an older hub read back from InfluxDB");
  }

  private async read(deviceId: string): Promise<DeviceMetric[]> {
    const where = ` WHERE "device" = ${quoteString(deviceId)}`;
    const results = await this.options.query(TYPES.map((type) => `SELECT last(*) FROM ${this.options.sources[type]}${where}`).join("; "));
    const found = new Map<string, MetricType>();
    for (const series of results) {
      const first = series[0];
      const row = first?.values[0];
      if (first === undefined || row === undefined) continue;
      first.columns.forEach((column, i) => {
        const value = row[i];
        if (!column.startsWith(LAST_PREFIX) || value === null || value === undefined) return;
        const metric = column.slice(LAST_PREFIX.length);
        if (metric !== RECEIVED_FIELD) found.set(metric, metricTypeOf(value as MetricValue));
      });
    }
    return Array.from(found, ([metric, type]) => ({ metric, type }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting?.();
    await this.loop;
  }
}
