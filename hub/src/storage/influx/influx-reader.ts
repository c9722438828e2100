import type { MetricValue } from "@telehub/device-client/protocol";
import type { HubConfig } from "../../config/hub-config.js";
import {
  type HistoryBucket,
  type HistoryQuery,
  type LatestValue,
  type MetricType,
  type RawPoint,
  type RawQuery,
  selectedMetrics,
} from "../telemetry-store.js";
import type { InfluxSeries } from "./influx-http.js";
import {
  countStatement,
  dropDeviceStatement,
  historyQuery,
  latestStatement,
  measurementSource,
  rawCountStatement,
  rawStatement,
} from "./influxql.js";
import type { KnownMetrics } from "./known-metrics.js";
import { measurementOf, RECEIVED_FIELD } from "./line-protocol.js";
import { mergeRawPoints } from "./raw-points.js";

export interface InfluxReaderOptions {
  /** `measurement` and `retentionPolicy` name what is read. */
  influx: Pick<HubConfig["influx"], "measurement" | "retentionPolicy">;
  /** Runs InfluxQL; the store decides what happens first (waiting for its own writes to arrive). */
  query: (influxql: string) => Promise<InfluxSeries[][]>;
  /** Which metrics each device has, and their types: what the reads ask InfluxDB for. */
  known: KnownMetrics;
}

export const METRIC_TYPES: readonly MetricType[] = ["number", "boolean", "string"];

/** Rows of the first series of a statement's result as objects keyed by column. */
function rowsOf(series: InfluxSeries[] | undefined): Record<string, unknown>[] {
  const first = series?.[0];
  if (!first) return [];
  return first.values.map((values) => Object.fromEntries(first.columns.map((column, i) => [column, values[i]])));
}

/**
 * The `TelemetryStore` reads over InfluxDB (schema: docs/influxdb.md), shared by the stores that
 * write there: the single-node InfluxDB store and the cluster's JetStream store. Only each
 * device's own metrics are queried, so a read's cost never depends on what other devices sent.
 */
export class InfluxReader {
  /** Each type's measurement as queries name it (qualified with the retention policy). */
  readonly sources: Record<MetricType, string>;

  constructor(private readonly options: InfluxReaderOptions) {
    const { measurement, retentionPolicy } = options.influx;
    const source = (type: MetricType) => measurementSource(measurementOf(measurement, type), retentionPolicy);
    this.sources = { number: source("number"), boolean: source("boolean"), string: source("string") };
  }

  async latest(deviceId: string): Promise<LatestValue[]> {
    const metrics = this.options.known.sorted(deviceId);
    if (metrics.length === 0) return [];
    const statements = metrics.map(({ metric, type }) => latestStatement(this.sources[type], deviceId, metric));
    const results = await this.options.query(statements.join("; "));
    const values: LatestValue[] = [];
    metrics.forEach(({ metric }, i) => {
      const [row] = rowsOf(results[i]);
      if (row === undefined || row.last === null || row.last === undefined) return;
      values.push({ metric, ts: Number(row.time), value: row.last as MetricValue, receivedAt: Number(row[RECEIVED_FIELD]) });
    });
    return values;
  }

  async history(query: HistoryQuery): Promise<HistoryBucket[]> {
    const type = this.options.known.of(query.deviceId).get(query.metric);
    if (type === undefined) return [];
    const numeric = type === "number";
    const bucketMs = Math.max(1, Math.floor(query.bucketMs));
    const [series] = await this.options.query(historyQuery(this.sources[type], query, numeric, bucketMs));
    const numberOrNull = (value: unknown): number | null => (numeric && typeof value === "number" ? value : null);
    return rowsOf(series).map((row) => ({
      ts: Number(row.time),
      mean: numberOrNull(row.mean),
      min: numberOrNull(row.min),
      max: numberOrNull(row.max),
      last: row.last as MetricValue,
      count: Number(row.count),
    }));
  }

  /** The device's metrics a raw query selects, by type; and the types that have any. */
  private rawFields(query: RawQuery): { byType: Record<MetricType, string[]>; types: MetricType[] } {
    const selected = selectedMetrics(query);
    const byType: Record<MetricType, string[]> = { number: [], boolean: [], string: [] };
    for (const [metric, type] of this.options.known.of(query.deviceId))
      if (selected === undefined || selected.includes(metric)) byType[type].push(metric);
    return { byType, types: METRIC_TYPES.filter((type) => byType[type].length > 0) };
  }

  /** One statement per type the device has metrics of (only the asked metrics' types when some are named), merged by time. */
  async raw(query: RawQuery): Promise<RawPoint[]> {
    const { byType, types } = this.rawFields(query);
    if (types.length === 0) return [];
    const results = await this.options.query(types.map((type) => rawStatement(this.sources[type], query, byType[type])).join("; "));
    return mergeRawPoints(
      types.map((_, i) => rowsOf(results[i])),
      query.limit,
    );
  }

  /** `count()` of each selected field in the window, summed (InfluxDB has no cheaper capped count). */
  async countRaw(query: RawQuery): Promise<number> {
    const { byType, types } = this.rawFields(query);
    if (types.length === 0) return 0;
    const results = await this.options.query(types.map((type) => rawCountStatement(this.sources[type], query, byType[type])).join("; "));
    let count = 0;
    for (const series of results) {
      for (const row of rowsOf(series)) for (const [column, value] of Object.entries(row)) if (column !== "time") count += Number(value);
    }
    return Math.min(count, query.limit);
  }

  async countValues(deviceId?: string): Promise<number> {
    const results = await this.options.query(METRIC_TYPES.map((type) => countStatement(this.sources[type], deviceId)).join("; "));
    let count = 0;
    for (const series of results) {
      for (const row of rowsOf(series)) {
        for (const [column, value] of Object.entries(row)) {
          if (column.startsWith("count_") && column !== `count_${RECEIVED_FIELD}`) count += Number(value);
        }
      }
    }
    return count;
  }

  /** Drop the device's series from every measurement. */
  async dropDevice(deviceId: string): Promise<void> {
    const { measurement } = this.options.influx;
    await this.options.query(METRIC_TYPES.map((type) => dropDeviceStatement(measurementOf(measurement, type), deviceId)).join("; "));
  }
}
