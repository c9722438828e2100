import type { MetricValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
import type pino from "pino";
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
import { openDatabase, type SqliteSynchronous } from "./open-database.js";
import { ReadingLog, type ReadingLogEvents, type ReadingLogPacing } from "./reading-log.js";
import type { SqliteStoreMetrics } from "./sqlite-store-metrics.js";
import { TELEMETRY_MIGRATIONS } from "./telemetry-migrations.js";
import { checkpointOffThread, type WalCheckpointer } from "./wal-checkpointer.js";
import { WalSync } from "./wal-sync.js";

const NUMBER = 0;
const BOOLEAN = 1;
const STRING = 2;

type StoredValue = number | string | bigint | null;

/** The column code of each catalogue type, and back. */
const TYPE_CODES: Readonly<Record<MetricType, number>> = { number: NUMBER, boolean: BOOLEAN, string: STRING };
const TYPE_NAMES: readonly MetricType[] = ["number", "boolean", "string"];

function typeOf(value: MetricValue): number {
  return typeof value === "number" ? NUMBER : typeof value === "boolean" ? BOOLEAN : STRING;
}

function fromColumn(value: StoredValue, type: number): MetricValue {
  if (type === BOOLEAN) return value === 1;
  if (type === STRING) return String(value);
  return Number(value);
}

/** What the embedded store reports outside any call: failed checkpoints and failed merge rounds. */
export interface SqliteStoreReports {
  /** A checkpoint failed (the WAL then grows until they work again). */
  onCheckpointError?: (reason: string) => void;
  /** A round of merging the reading log failed (the log then grows until one works). */
  onMergeError?: (reason: string) => void;
  /** Merge rounds, counted and timed. */
  metrics?: SqliteStoreMetrics;
  /** At open, values the last run left in the reading log were merged (it did not stop cleanly). */
  onRecovered?: (values: number, seconds: number) => void;
  /** How merge rounds are paced (tests shrink them). */
  pacing?: ReadingLogPacing;
}

/** Reports that go to the hub's log. */
export function loggedReports(log: pino.Logger): SqliteStoreReports {
  return {
    onCheckpointError: (reason) => log.error({ reason }, "telemetry WAL checkpoint failed"),
    onMergeError: (reason) => log.error({ reason }, "telemetry log merge round failed; the next round retries"),
    onRecovered: (values, seconds) =>
      log.info({ values, ms: Math.round(seconds * 1000) }, "merged the values the last run left in the telemetry reading log"),
  };
}

/**
 * The embedded telemetry store: a SQLite file beside the metadata database. Its commits never
 * wait for the disk on the event loop: with `synchronous` `full` (the default), `append`
 * resolves only after the WAL is synced, but that sync runs on the thread pool
 * ({@link WalSync}), and checkpoints run on a thread of their own ({@link WalCheckpointer}).
 * Values are appended to a log and merged into the series-ordered table in rounds
 * ({@link ReadingLog}), so each commit writes a page or two rather than one per series.
 */
export class SqliteTelemetryStore implements TelemetryStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly walSync: WalSync | undefined;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly log: ReadingLog;
  private readonly seriesIds = new Map<string, number>();
  private readonly lastSeqs = new Map<string, number>();
  private readonly statements;
  private readonly appendInTransaction: (batches: readonly TelemetryBatch[]) => { outcomes: AppendOutcome[]; seqs: Map<string, number> };

  constructor(path: string, synchronous: SqliteSynchronous = "full", reports: SqliteStoreReports = {}) {
    this.db = openDatabase(path, TELEMETRY_MIGRATIONS, "normal");
    const db = this.db;
    if (path !== ":memory:") {
      if (synchronous === "full") this.walSync = new WalSync(`${path}-wal`);
      this.checkpointer = checkpointOffThread(db, path, reports.onCheckpointError ?? (() => {}));
    }
    const { metrics, onMergeError, onRecovered } = reports;
    const events: ReadingLogEvents = {
      recovered: onRecovered,
      merged: (values, seconds) => metrics?.mergeRound(values, seconds),
      failed: (reason) => {
        metrics?.mergeFailed();
        onMergeError?.(reason);
      },
    };
    this.log = new ReadingLog(db, events, reports.pacing);
    this.statements = {
      findSeries: db.prepare("SELECT id FROM series WHERE device_id = ? AND metric = ?").pluck(),
      insertSeries: db.prepare("INSERT INTO series (device_id, metric, type) VALUES (?, ?, ?)"),
      // A type the catalogue gives wins over one a row may hold (claims released after a failed write).
      recordType: db
        .prepare(
          "INSERT INTO series (device_id, metric, type) VALUES (?, ?, ?) ON CONFLICT (device_id, metric) DO UPDATE SET type = excluded.type RETURNING id",
        )
        .pluck(),
      metricTypes: db.prepare("SELECT device_id AS deviceId, metric, type FROM series"),
      lastSeq: db.prepare("SELECT last_seq FROM batch_sequences WHERE device_id = ?").pluck(),
      latest: db.prepare(
        `SELECT s.metric, r.ts, r.value, r.type, r.received_at AS receivedAt
           FROM series s JOIN readings r ON r.series_id = s.id
          WHERE s.device_id = ? AND r.ts = (SELECT MAX(ts) FROM readings WHERE series_id = s.id)
          ORDER BY s.metric`,
      ),
      seriesOf: db.prepare("SELECT id FROM series WHERE device_id = ? AND metric = ?").pluck(),
      // The value at each bucket's newest timestamp is joined back in: SQLite's bare-column
      // trick picks an arbitrary row once a query has more than one MIN/MAX.
      history: db.prepare(
        `SELECT g.b, g.mean, g.min, g.max, l.value AS last, l.type AS lastType, g.count
           FROM (SELECT CAST((ts - @from) / @bucket AS INTEGER) AS b, AVG(CASE WHEN type = 0 THEN value END) AS mean,
                        MIN(CASE WHEN type = 0 THEN value END) AS min, MAX(CASE WHEN type = 0 THEN value END) AS max,
                        MAX(ts) AS lastTs, COUNT(*) AS count
                   FROM readings WHERE series_id = @series AND ts >= @from AND ts < @to GROUP BY b) g
           JOIN readings l ON l.series_id = @series AND l.ts = g.lastTs
          ORDER BY g.b`,
      ),
      rawOne: db.prepare(
        `SELECT r.ts, s.metric, r.value, r.type FROM readings r JOIN series s ON s.id = r.series_id
          WHERE s.device_id = @device AND s.metric = @metric AND r.ts >= @from AND r.ts < @to ORDER BY r.ts LIMIT @limit`,
      ),
      rawAll: db.prepare(
        `SELECT r.ts, s.metric, r.value, r.type FROM readings r JOIN series s ON s.id = r.series_id
          WHERE s.device_id = @device AND r.ts >= @from AND r.ts < @to ORDER BY r.ts, s.metric LIMIT @limit`,
      ),
      rawSome: db.prepare(
        `SELECT r.ts, s.metric, r.value, r.type FROM readings r JOIN series s ON s.id = r.series_id
          WHERE s.device_id = @device AND s.metric IN (SELECT value FROM json_each(@metrics)) AND r.ts >= @from AND r.ts < @to
          ORDER BY r.ts, s.metric LIMIT @limit`,
      ),
      // Counted up to @limit: an export asks whether a window holds more than it may send, not how much more.
      countRawAll: db
        .prepare(
          `SELECT COUNT(*) FROM (SELECT 1 FROM readings r JOIN series s ON s.id = r.series_id
            WHERE s.device_id = @device AND r.ts >= @from AND r.ts < @to LIMIT @limit)`,
        )
        .pluck(),
      countRawSome: db
        .prepare(
          `SELECT COUNT(*) FROM (SELECT 1 FROM readings r JOIN series s ON s.id = r.series_id
            WHERE s.device_id = @device AND s.metric IN (SELECT value FROM json_each(@metrics)) AND r.ts >= @from AND r.ts < @to LIMIT @limit)`,
        )
        .pluck(),
      countAll: db.prepare("SELECT COUNT(*) FROM readings").pluck(),
      countDevice: db.prepare("SELECT COUNT(*) FROM readings r JOIN series s ON s.id = r.series_id WHERE s.device_id = ?").pluck(),
      deleteReadings: db.prepare("DELETE FROM readings WHERE series_id IN (SELECT id FROM series WHERE device_id = ?)"),
      deleteSeries: db.prepare("DELETE FROM series WHERE device_id = ?"),
      deleteSeq: db.prepare("DELETE FROM batch_sequences WHERE device_id = ?"),
    };
    this.appendInTransaction = db.transaction((batches: readonly TelemetryBatch[]) => {
      // Sequence numbers advance in a local map and reach the cache only after COMMIT; they
      // reach `batch_sequences` when the log is merged.
      const seqs = new Map<string, number>();
      const outcomes = batches.map((batch): AppendOutcome => {
        // Recorded for a duplicate too: the hub's catalogue claimed them, and must find them after a restart.
        if (batch.newMetrics) this.recordTypes(batch.deviceId, batch.newMetrics);
        const last = seqs.get(batch.deviceId) ?? this.readLastSeq(batch.deviceId);
        if (batch.seq <= last) return "duplicate";
        for (const reading of batch.readings) {
          for (const metric in reading.metrics) {
            const value = reading.metrics[metric] as MetricValue;
            // -0 is stored as 0 (`=== 0` holds for it): SQLite would keep the sign, InfluxDB's line protocol writes 0.
            const stored = typeof value === "boolean" ? (value ? 1 : 0) : value === 0 ? 0 : value;
            const type = typeOf(value);
            this.log.append(
              batch.deviceId,
              this.seriesId(batch.deviceId, metric, type),
              reading.ts,
              stored,
              type,
              batch.receivedAt,
              batch.seq,
            );
          }
        }
        seqs.set(batch.deviceId, batch.seq);
        return "stored";
      });
      return { outcomes, seqs };
    });
  }

  private readLastSeq(deviceId: string): number {
    let last = this.lastSeqs.get(deviceId);
    if (last === undefined) {
      last = (this.statements.lastSeq.get(deviceId) as number | undefined) ?? 0;
      this.lastSeqs.set(deviceId, last);
    }
    return last;
  }

  /** A series' id; a series new to the store is created with the type of its first value. */
  private seriesId(deviceId: string, metric: string, type: number): number {
    const key = `${deviceId}\u0000${metric}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      id =
        (this.statements.findSeries.get(deviceId, metric) as number | undefined) ??
        Number(this.statements.insertSeries.run(deviceId, metric, type).lastInsertRowid);
      this.seriesIds.set(key, id);
    }
    return id;
  }

  /** The metrics a batch is the first to bring for its device, with the types the catalogue fixed. */
  private recordTypes(deviceId: string, metrics: NonNullable<TelemetryBatch["newMetrics"]>): void {
    for (const { metric, type } of metrics) {
      const id = this.statements.recordType.get(deviceId, metric, TYPE_CODES[type]) as number;
      this.seriesIds.set(`${deviceId}\u0000${metric}`, id);
    }
  }

  async metricTypes(): Promise<MetricEntry[]> {
    const rows = this.statements.metricTypes.all() as { deviceId: string; metric: string; type: number }[];
    return rows.map((row) => ({ deviceId: row.deviceId, metric: row.metric, type: TYPE_NAMES[row.type] ?? "number" }));
  }

  async append(batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> {
    let result: ReturnType<typeof this.appendInTransaction>;
    try {
      result = this.appendInTransaction(batches);
    } catch (error) {
      // A series row inserted by the rolled-back transaction is gone again.
      this.seriesIds.clear();
      throw error;
    }
    for (const [deviceId, seq] of result.seqs) this.lastSeqs.set(deviceId, seq);
    this.log.appended();
    await this.walSync?.sync();
    return result.outcomes;
  }

  async lastSequence(deviceId: string): Promise<number> {
    return this.readLastSeq(deviceId);
  }

  async latest(deviceId: string): Promise<LatestValue[]> {
    this.log.mergeDevice(deviceId);
    const rows = this.statements.latest.all(deviceId) as {
      metric: string;
      ts: number;
      value: StoredValue;
      type: number;
      receivedAt: number;
    }[];
    return rows.map((row) => ({ metric: row.metric, ts: row.ts, value: fromColumn(row.value, row.type), receivedAt: row.receivedAt }));
  }

  async history(query: HistoryQuery): Promise<HistoryBucket[]> {
    this.log.mergeDevice(query.deviceId);
    const series = this.statements.seriesOf.get(query.deviceId, query.metric) as number | undefined;
    if (series === undefined) return [];
    const bucket = Math.max(1, Math.floor(query.bucketMs));
    const rows = this.statements.history.all({ series, from: query.from, to: query.to, bucket }) as {
      b: number;
      mean: number | null;
      min: number | null;
      max: number | null;
      last: StoredValue;
      lastType: number;
      count: number;
    }[];
    return rows.map((row) => ({
      ts: query.from + row.b * bucket,
      mean: row.mean,
      min: row.min,
      max: row.max,
      last: fromColumn(row.last, row.lastType),
      count: row.count,
    }));
  }

  async raw(query: RawQuery): Promise<RawPoint[]> {
    this.log.mergeDevice(query.deviceId);
    const metrics = selectedMetrics(query);
    const params = { device: query.deviceId, from: query.from, to: query.to, limit: query.limit };
    let rows: { ts: number; metric: string; value: StoredValue; type: number }[];
    if (metrics === undefined) rows = this.statements.rawAll.all(params) as typeof rows;
    else if (metrics.length === 1) rows = this.statements.rawOne.all({ ...params, metric: metrics[0] }) as typeof rows;
    else rows = this.statements.rawSome.all({ ...params, metrics: JSON.stringify(metrics) }) as typeof rows;
    return rows.map((row) => ({ ts: row.ts, metric: row.metric, value: fromColumn(row.value, row.type) }));
  }

  async countRaw(query: RawQuery): Promise<number> {
    this.log.mergeDevice(query.deviceId);
    const metrics = selectedMetrics(query);
    const params = { device: query.deviceId, from: query.from, to: query.to, limit: query.limit };
    if (metrics === undefined) return this.statements.countRawAll.get(params) as number;
    return this.statements.countRawSome.get({ ...params, metrics: JSON.stringify(metrics) }) as number;
  }

  /** Counting every value merges the whole log first, in one go (about 0.5 s for 200,000 values): for tests and tools. */
  async countValues(deviceId?: string): Promise<number> {
    if (deviceId === undefined) this.log.mergeAll();
    else this.log.mergeDevice(deviceId);
    return (deviceId === undefined ? this.statements.countAll.get() : this.statements.countDevice.get(deviceId)) as number;
  }

  async forgetDevice(deviceId: string): Promise<void> {
    this.db.transaction(() => {
      this.log.forgetDevice(deviceId);
      this.statements.deleteReadings.run(deviceId);
      this.statements.deleteSeries.run(deviceId);
      this.statements.deleteSeq.run(deviceId);
    })();
    this.lastSeqs.delete(deviceId);
    for (const key of this.seriesIds.keys()) if (key.startsWith(`${deviceId}\u0000`)) this.seriesIds.delete(key);
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    this.log.close();
    try {
      // A stopped store holds no log: the next open has nothing to merge.
      if (this.db.open) this.log.mergeAll();
    } finally {
      await this.checkpointer?.stop();
      this.walSync?.close();
      if (this.db.open) this.db.close();
    }
  }
}
