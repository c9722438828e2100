import { join } from "node:path";
import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
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
import { CatalogueBackfill } from "./catalogue-backfill.js";
import { InfluxHttp, type InfluxSeries } from "./influx-http.js";
import { InfluxReader } from "./influx-reader.js";
import type { InfluxStoreMetrics } from "./influx-store-metrics.js";
import { createDatabaseQuery } from "./influxql.js";
import { KnownMetrics, type NewMetrics } from "./known-metrics.js";
import { encodeBatch } from "./line-protocol.js";
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

/** How many writes' worth of spooled points (`influx.batchSize` each) are also kept in memory. */
const RECENT_WRITES = 4;

const RETENTION_DURATION = /^(INF|(\d+[smhdw])+)$/;

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
  private readonly reader: InfluxReader;
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
    // The drainer's next few writes stay in memory too, so it need not read them back from the file.
    this.spool = new Spool(join(options.dataDir, "influx-spool.db"), influx.spoolMaxBytes, RECENT_WRITES * influx.batchSize);
    this.known = new KnownMetrics((deviceId) => this.spool.metricTypesOf(deviceId));
    this.reader = new InfluxReader({ influx, query: (influxql) => this.query(influxql), known: this.known });
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
      sources: this.reader.sources,
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

  latest(deviceId: string): Promise<LatestValue[]> {
    return this.reader.latest(deviceId);
  }

  history(query: HistoryQuery): Promise<HistoryBucket[]> {
    return this.reader.history(query);
  }

  raw(query: RawQuery): Promise<RawPoint[]> {
    return this.reader.raw(query);
  }

  countRaw(query: RawQuery): Promise<number> {
    return this.reader.countRaw(query);
  }

  countValues(deviceId?: string): Promise<number> {
    return this.reader.countValues(deviceId);
  }

  async forgetDevice(deviceId: string): Promise<void> {
    await this.reader.dropDevice(deviceId);
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
