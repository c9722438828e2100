import { join } from "node:path";
import type { MetricValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import type {
  AppendOutcome,
  HistoryBucket,
  HistoryQuery,
  LatestValue,
  RawPoint,
  RawQuery,
  TelemetryBatch,
  TelemetryStore,
} from "../telemetry-store.js";
import { InfluxHttp, type InfluxSeries } from "./influx-http.js";
import type { InfluxStoreMetrics } from "./influx-store-metrics.js";
import {
  countQuery,
  createDatabaseQuery,
  dropDeviceQuery,
  fieldKeysQuery,
  historyQuery,
  type InfluxFieldType,
  isNumericField,
  latestQuery,
  measurementSource,
  rawQuery,
} from "./influxql.js";
import { encodeBatch, RECEIVED_FIELD } from "./line-protocol.js";
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
}

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
  private readonly queryWaitMs: number;
  /** The measurement as queries name it (qualified with the retention policy). */
  private readonly source: string;
  /** The server's version, once `/ping` answered. */
  version: string | undefined;

  constructor(private readonly options: InfluxTelemetryStoreOptions) {
    const { influx } = options;
    if (!RETENTION_DURATION.test(influx.retentionDuration))
      throw new Error(
        `influx.retentionDuration must be INF or a duration like 30d or 12h, got ${JSON.stringify(influx.retentionDuration)}`,
      );
    this.http = new InfluxHttp(influx);
    this.queryWaitMs = options.queryWaitMs ?? 5_000;
    this.source = measurementSource(influx.measurement, influx.retentionPolicy);
    this.spool = new Spool(join(options.dataDir, "influx-spool.db"), influx.spoolMaxBytes);
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
    const outcomes = batches.map((batch): AppendOutcome => {
      const last = seqs.get(batch.deviceId) ?? this.spool.lastSequence(batch.deviceId);
      if (batch.seq <= last) return "duplicate";
      for (const line of encodeBatch(batch, measurement, precision)) lines.push(line);
      seqs.set(batch.deviceId, batch.seq);
      return "stored";
    });
    try {
      this.spool.write(lines, seqs);
    } catch (error) {
      if (error instanceof SpoolFullError) this.options.log.warn({ spooledBytes: this.spool.bytes }, error.message);
      throw error;
    }
    this.drainer.notify();
    return outcomes;
  }

  async lastSequence(deviceId: string): Promise<number> {
    return this.spool.lastSequence(deviceId);
  }

  /** Run InfluxQL after the data spooled so far reached InfluxDB (or `queryWaitMs` passed). */
  private async query(influxql: string): Promise<InfluxSeries[][]> {
    await this.drainer.delivered(this.queryWaitMs);
    return this.http.query(influxql);
  }

  private async fieldTypes(): Promise<Map<string, InfluxFieldType>> {
    const [series] = await this.query(fieldKeysQuery(this.source));
    const types = new Map<string, InfluxFieldType>();
    for (const row of rowsOf(series))
      if (row.fieldKey !== RECEIVED_FIELD) types.set(String(row.fieldKey), row.fieldType as InfluxFieldType);
    return types;
  }

  async latest(deviceId: string): Promise<LatestValue[]> {
    const metrics = [...(await this.fieldTypes()).keys()].sort();
    if (metrics.length === 0) return [];
    const results = await this.query(latestQuery(this.source, deviceId, metrics));
    const values: LatestValue[] = [];
    metrics.forEach((metric, i) => {
      const [row] = rowsOf(results[i]);
      if (row === undefined || row.last === null || row.last === undefined) return;
      values.push({ metric, ts: Number(row.time), value: row.last as MetricValue, receivedAt: Number(row[RECEIVED_FIELD]) });
    });
    return values;
  }

  async history(query: HistoryQuery): Promise<HistoryBucket[]> {
    const types = await this.fieldTypes();
    if (!types.has(query.metric)) return [];
    const numeric = isNumericField(types.get(query.metric));
    const bucketMs = Math.max(1, Math.floor(query.bucketMs));
    const [series] = await this.query(historyQuery(this.source, query, numeric, bucketMs));
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

  async raw(query: RawQuery): Promise<RawPoint[]> {
    const [series] = await this.query(rawQuery(this.source, query));
    const points: RawPoint[] = [];
    for (const row of rowsOf(series)) {
      const ts = Number(row.time);
      const metrics = Object.keys(row)
        .filter((column) => column !== "time" && column !== RECEIVED_FIELD && row[column] !== null)
        .sort();
      for (const metric of metrics) points.push({ ts, metric, value: row[metric] as MetricValue });
    }
    return points.slice(0, query.limit);
  }

  async countValues(deviceId?: string): Promise<number> {
    const [series] = await this.query(countQuery(this.source, deviceId));
    let count = 0;
    for (const row of rowsOf(series)) {
      for (const [column, value] of Object.entries(row)) {
        if (column.startsWith("count_") && column !== `count_${RECEIVED_FIELD}`) count += Number(value);
      }
    }
    return count;
  }

  async forgetDevice(deviceId: string): Promise<void> {
    await this.query(dropDeviceQuery(this.options.influx.measurement, deviceId));
    this.spool.forgetDevice(deviceId);
  }

  async ping(): Promise<void> {
    if (!this.spool.hasRoomFor(1)) throw new SpoolFullError(this.spool.bytes, this.options.influx.spoolMaxBytes);
  }

  async close(): Promise<void> {
    await this.drainer.close();
    this.spool.close();
  }
}
