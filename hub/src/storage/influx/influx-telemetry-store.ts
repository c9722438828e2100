import { join } from "node:path";
import type { MetricValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import {
  type AppendOutcome,
  type HistoryBucket,
  type HistoryQuery,
  type LatestValue,
  type MetricEntry,
  type MetricType,
  type RawPoint,
  type RawQuery,
  selectedMetrics,
  type TelemetryBatch,
  type TelemetryStore,
} from "../telemetry-store.js";
import { CatalogueBackfill } from "./catalogue-backfill.js";
import { InfluxHttp, type InfluxSeries } from "./influx-http.js";
import type { InfluxStoreMetrics } from "./influx-store-metrics.js";
import {
  countStatement,
  createDatabaseQuery,
  dropDeviceStatement,
  historyQuery,
  latestStatement,
  measurementSource,
  rawCountStatement,
  rawStatement,
} from "./influxql.js";
import { KnownMetrics, type NewMetrics } from "./known-metrics.js";
import { encodeBatch, measurementOf, RECEIVED_FIELD } from "./line-protocol.js";
import { mergeRawPoints } from "./raw-points.js";
import { Spool, SpoolFullError } from "./spool.js";
import { SpoolDrainer } from "./spool-drainer.js";

export interface InfluxTelemetryStoreOptions {
  influx: HubConfig["influx"];
  /** Folder of the spool (`influx-spool.db`) and the dead-letter file (`influx-dead-letter.lp`). */
  dataDir: string;
  metrics: InfluxStoreMetrics;
  log: pino.Logger;
  /** A query waits at most this long for spooled data to reach InfluxDB first (read your writes). Default 5,000 ms. */
  queryWaitMs?: number;
  /** The HTTP client. Default: one built from `influx`. */
  http?: InfluxHttp;
}

const METRIC_TYPES: readonly MetricType[] = ["number", "boolean", "string"];

/** How many writes' worth of spooled points (`influx.batchSize` each) are also kept in memory. */
const RECENT_WRITES = 4;

const RETENTION_DURATION = /^(INF|(\d+[smhdw])+)$/;

/** Rows of the first series of a statement's result as objects keyed by column. */
function rowsOf(series: InfluxSeries[] | undefined): Record<string, unknown>[] {
  const first = series?.[0];
  if (!first) return [];
  return first.values.map((values) => Object.fromEntries(first.columns.map((column, i) => [column, values[i]])));
}

/**
 * Telemetry in InfluxDB through the v1-compatible HTTP API (`/write`, `/query`), so the
 * same code serves 1.x, 2.x, 3.x and Cloud. `append` makes batches durable in the local
 * spool; a drainer moves them to InfluxDB. Schema: docs/influxdb.md.
 */
export class InfluxTelemetryStore implements TelemetryStore {
  readonly kind = "influxdb";
  private readonly http: InfluxHttp;
  private readonly spool: Spool;
  private readonly drainer: SpoolDrainer;
  private readonly known: KnownMetrics;
  private readonly backfill: CatalogueBackfill;
  private readonly queryWaitMs: number;
  /** Each type's measurement as queries name it (qualified with the retention policy). */
  private readonly sources: Record<MetricType, string>;
  /** The server's version, once `/ping` answered. */
  version: string | undefined;

  constructor(private readonly options: InfluxTelemetryStoreOptions) {
    const { influx } = options;
    if (!RETENTION_DURATION.test(influx.retentionDuration))
      throw new Error(
        `influx.retentionDuration must be INF or a duration like 30d or 12h, got ${JSON.stringify(influx.retentionDuration)}`,
      );
    this.http = options.http ?? new InfluxHttp(influx);
    this.queryWaitMs = options.queryWaitMs ?? 5_000;
    const source = (type: MetricType) => measurementSource(measurementOf(influx.measurement, type), influx.retentionPolicy);
    this.sources = { number: source("number"), boolean: source("boolean"), string: source("string") };
    // The drainer's next few writes stay in memory too, so it need not read them back from the file.
    this.spool = new Spool(join(options.dataDir, "influx-spool.db"), influx.spoolMaxBytes, RECENT_WRITES * influx.batchSize);
    this.known = new KnownMetrics((deviceId) => this.spool.metricTypesOf(deviceId));
    this.drainer = new SpoolDrainer(this.spool, this.http, {
      batchSize: influx.batchSize,
      flushIntervalMs: influx.flushIntervalMs,
      maxRetryDelayMs: influx.maxRetryDelayMs,
      deadLetterPath: join(options.dataDir, "influx-dead-letter.lp"),
      prepare: () => this.prepare(),
      metrics: options.metrics,
      log: options.log,
    });
    this.drainer.start();
    this.backfill = new CatalogueBackfill({
      spool: this.spool,
      sources: this.sources,
      query: (influxql) => this.query(influxql),
      refreshed: (deviceId) => this.known.forget(deviceId),
      retryDelayMs: influx.maxRetryDelayMs,
      log: options.log,
    });
  }

  /** Detect (and log) the server's version; on 1.x create the database and retention policy when asked. */
  private async prepare(): Promise<void> {
    const { influx } = this.options;
    const version = await this.http.ping();
    if (version !== this.version) this.options.log.info({ version, url: influx.url, database: influx.database }, "InfluxDB reachable");
    this.version = version;
    if (influx.createDatabase && version.startsWith("1.")) {
      await this.http.query(createDatabaseQuery(influx.database, influx.retentionPolicy, influx.retentionDuration));
    }
  }

  async append(batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> {
    const { measurement, precision } = this.options.influx;
    const seqs = new Map<string, number>();
    const lines: string[] = [];
    const newMetrics: NewMetrics = new Map();
    const outcomes = batches.map((batch): AppendOutcome => {
      const last = seqs.get(batch.deviceId) ?? this.spool.lastSequence(batch.deviceId);
      const stored = batch.seq > last;
      this.known.collect(batch, stored, newMetrics);
      if (!stored) return "duplicate";
      for (const line of encodeBatch(batch, measurement, precision)) lines.push(line);
      seqs.set(batch.deviceId, batch.seq);
      return "stored";
    });
    try {
      this.spool.write(lines, seqs, newMetrics.size === 0 ? [] : KnownMetrics.entries(newMetrics));
    } catch (error) {
      if (error instanceof SpoolFullError) this.options.log.warn({ spooledBytes: this.spool.bytes }, error.message);
      throw error;
    }
    this.known.commit(newMetrics);
    this.drainer.notify();
    return outcomes;
  }

  async metricTypes(): Promise<MetricEntry[]> {
    return this.spool.metricTypes();
  }

  async lastSequence(deviceId: string): Promise<number> {
    return this.spool.lastSequence(deviceId);
  }

  /** Run InfluxQL after the data spooled so far reached InfluxDB (or `queryWaitMs` passed). */
  private async query(influxql: string): Promise<InfluxSeries[][]> {
    await this.drainer.delivered(this.queryWaitMs);
    return this.http.query(influxql);
  }

  async latest(deviceId: string): Promise<LatestValue[]> {
    // Only this device's metrics: the cost never depends on what other devices sent.
    const metrics = this.known.sorted(deviceId);
    if (metrics.length === 0) return [];
    const statements = metrics.map(({ metric, type }) => latestStatement(this.sources[type], deviceId, metric));
    const results = await this.query(statements.join("; "));
    const values: LatestValue[] = [];
    metrics.forEach(({ metric }, i) => {
      const [row] = rowsOf(results[i]);
      if (row === undefined || row.last === null || row.last === undefined) return;
      values.push({ metric, ts: Number(row.time), value: row.last as MetricValue, receivedAt: Number(row[RECEIVED_FIELD]) });
    });
    return values;
  }

  async history(query: HistoryQuery): Promise<HistoryBucket[]> {
    const type = this.known.of(query.deviceId).get(query.metric);
    if (type === undefined) return [];
    const numeric = type === "number";
    const bucketMs = Math.max(1, Math.floor(query.bucketMs));
    const [series] = await this.query(historyQuery(this.sources[type], query, numeric, bucketMs));
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
    for (const [metric, type] of this.known.of(query.deviceId))
      if (selected === undefined || selected.includes(metric)) byType[type].push(metric);
    return { byType, types: METRIC_TYPES.filter((type) => byType[type].length > 0) };
  }

  /** One statement per type the device has metrics of (only the asked metrics' types when some are named), merged by time. */
  async raw(query: RawQuery): Promise<RawPoint[]> {
    const { byType, types } = this.rawFields(query);
    if (types.length === 0) return [];
    const results = await this.query(types.map((type) => rawStatement(this.sources[type], query, byType[type])).join("; "));
    return mergeRawPoints(
      types.map((_, i) => rowsOf(results[i])),
      query.limit,
    );
  }

  /** `count()` of each selected field in the window, summed (InfluxDB has no cheaper capped count). */
  async countRaw(query: RawQuery): Promise<number> {
    const { byType, types } = this.rawFields(query);
    if (types.length === 0) return 0;
    const results = await this.query(types.map((type) => rawCountStatement(this.sources[type], query, byType[type])).join("; "));
    let count = 0;
    for (const series of results) {
      for (const row of rowsOf(series)) for (const [column, value] of Object.entries(row)) if (column !== "time") count += Number(value);
    }
    return Math.min(count, query.limit);
  }

  async countValues(deviceId?: string): Promise<number> {
    const results = await this.query(METRIC_TYPES.map((type) => countStatement(this.sources[type], deviceId)).join("; "));
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

  async forgetDevice(deviceId: string): Promise<void> {
    const { measurement } = this.options.influx;
    await this.query(METRIC_TYPES.map((type) => dropDeviceStatement(measurementOf(measurement, type), deviceId)).join("; "));
    this.spool.forgetDevice(deviceId);
    this.known.forget(deviceId);
  }

  async ping(): Promise<void> {
    if (!this.spool.hasRoomFor(1)) throw new SpoolFullError(this.spool.bytes, this.options.influx.spoolMaxBytes);
  }

  async close(): Promise<void> {
    await this.backfill.close();
    await this.drainer.close();
    this.spool.close();
  }
}
