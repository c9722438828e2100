import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, ensurePrivateFile } from "../../security/data-dir.js";
import { type Migration, openDatabase } from "../sqlite/open-database.js";
import type { MetricEntry, MetricType } from "../telemetry-store.js";

const SPOOL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "spooled line protocol and batch sequences",
    up: `
      CREATE TABLE spool (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lines TEXT NOT NULL,
        points INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        spooled_at INTEGER NOT NULL
      );
      CREATE TABLE batch_sequences (
        device_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "the type of every (device, metric), for the hub's metric catalogue and the store's reads",
    // The devices an older hub wrote get their types read back from InfluxDB once (CatalogueBackfill).
    up: `
      CREATE TABLE metric_types (
        device_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('number', 'boolean', 'string')),
        PRIMARY KEY (device_id, metric)
      ) WITHOUT ROWID;
      CREATE TABLE metric_types_backfill (device_id TEXT PRIMARY KEY) WITHOUT ROWID;
      INSERT INTO metric_types_backfill (device_id) SELECT device_id FROM batch_sequences;
    `,
  },
];

/** One metric of a device and its type. */
export interface DeviceMetric {
  metric: string;
  type: MetricType;
}

/**
 * Page size of a new spool file. An entry (the line protocol of a group commit) is often
 * megabytes: in 64 KiB pages it spans 16 times fewer pages, and WAL frames, than in SQLite's
 * default 4 KiB, which halves the time of its insert on the event loop.
 */
const PAGE_SIZE = 65_536;

/** Create the spool file with its page size (fixed once the file is written; set before WAL mode). */
function createSpoolFile(path: string): void {
  if (existsSync(path)) return;
  ensurePrivateDir(dirname(path));
  ensurePrivateFile(path);
  const db = new Database(path);
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma("journal_mode = WAL");
  db.close();
}

/** A run of spooled entries, oldest first, as the drainer sends them. */
export interface SpooledRun {
  /** Highest entry id in the run (every entry up to it is in the run). */
  throughId: number;
  lines: string[];
  bytes: number;
}

/** The spool has no room for more data: devices must retry later. */
export class SpoolFullError extends Error {
  constructor(bytes: number, max: number) {
    super(`InfluxDB spool full (${bytes} of ${max} bytes): InfluxDB is not keeping up or is unreachable`);
    this.name = "SpoolFullError";
  }
}

/**
 * The write-ahead log between the gateway and InfluxDB: a SQLite file synced on every
 * commit. An entry (the line protocol of one group commit) and the new batch sequence
 * numbers of its devices become durable in the same transaction, so deduplication is
 * exactly as durable as the data.
 */
export class Spool {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly lastSeqs = new Map<string, number>();
  /** The lines of the newest entries not yet delivered, by id: the drainer's next runs, without reading them back. */
  private readonly recent = new Map<number, readonly string[]>();
  private recentPoints = 0;
  private spooledBytes: number;
  private spooledPoints: number;
  private spooledEntries: number;
  private newestId: number;
  private deliveredId: number;

  constructor(
    path: string,
    /** Reject new entries once this many bytes of line protocol wait in the spool. */
    private readonly maxBytes: number,
    /** Keep the lines of at most this many waiting points in memory as well (entries past it are read back from the file). */
    private readonly maxRecentPoints = 0,
  ) {
    createSpoolFile(path);
    this.db = openDatabase(path, SPOOL_MIGRATIONS, "full");
    const db = this.db;
    this.statements = {
      insert: db.prepare("INSERT INTO spool (lines, points, bytes, spooled_at) VALUES (?, ?, ?, ?)"),
      oldestSpooledAt: db.prepare("SELECT spooled_at FROM spool ORDER BY id LIMIT 1").pluck(),
      oldest: db.prepare("SELECT id, points, bytes FROM spool WHERE id > ? ORDER BY id LIMIT 64"),
      linesOf: db.prepare("SELECT lines FROM spool WHERE id = ?").pluck(),
      removeThrough: db.prepare("DELETE FROM spool WHERE id <= ?"),
      lastSeq: db.prepare("SELECT last_seq FROM batch_sequences WHERE device_id = ?").pluck(),
      upsertSeq: db.prepare(
        "INSERT INTO batch_sequences (device_id, last_seq) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq",
      ),
      deleteSeq: db.prepare("DELETE FROM batch_sequences WHERE device_id = ?"),
      upsertType: db.prepare(
        "INSERT INTO metric_types (device_id, metric, type) VALUES (?, ?, ?) ON CONFLICT (device_id, metric) DO UPDATE SET type = excluded.type",
      ),
      deviceTypes: db.prepare("SELECT metric, type FROM metric_types WHERE device_id = ?"),
      allTypes: db.prepare("SELECT device_id AS deviceId, metric, type FROM metric_types"),
      deleteTypes: db.prepare("DELETE FROM metric_types WHERE device_id = ?"),
      insertTypeIfNew: db.prepare("INSERT INTO metric_types (device_id, metric, type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
      nextToBackfill: db.prepare("SELECT device_id FROM metric_types_backfill ORDER BY device_id LIMIT 1").pluck(),
      backfilled: db.prepare("DELETE FROM metric_types_backfill WHERE device_id = ?"),
    };
    const totals = db
      .prepare(
        "SELECT COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(points), 0) AS points, COUNT(*) AS entries, MIN(id) AS oldest FROM spool",
      )
      .get() as { bytes: number; points: number; entries: number; oldest: number | null };
    this.spooledBytes = totals.bytes;
    this.spooledPoints = totals.points;
    this.spooledEntries = totals.entries;
    // AUTOINCREMENT: ids are never reused, so "delivered through id N" stays meaningful.
    this.newestId = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").pluck().get() as number | undefined) ?? 0;
    this.deliveredId = totals.oldest === null ? this.newestId : totals.oldest - 1;
  }

  /** Bytes of line protocol waiting. */
  get bytes(): number {
    return this.spooledBytes;
  }

  /** Points (lines) waiting. */
  get points(): number {
    return this.spooledPoints;
  }

  /** Entries waiting. */
  get entries(): number {
    return this.spooledEntries;
  }

  /** Id of the newest entry ever written (0 if none). */
  get newest(): number {
    return this.newestId;
  }

  /** Every entry up to this id has reached InfluxDB. */
  get delivered(): number {
    return this.deliveredId;
  }

  /** When the oldest waiting entry was spooled (ms), undefined when the spool is empty. */
  oldestSpooledAt(): number | undefined {
    return this.spooledEntries === 0 ? undefined : (this.statements.oldestSpooledAt.get() as number | undefined);
  }

  /**
   * Whether an entry of `bytes` more would fit. An empty spool takes any entry: one group
   * commit larger than the bound would otherwise be refused forever, and its devices with it.
   */
  hasRoomFor(bytes: number): boolean {
    return this.spooledBytes === 0 || this.spooledBytes + bytes <= this.maxBytes;
  }

  lastSequence(deviceId: string): number {
    let last = this.lastSeqs.get(deviceId);
    if (last === undefined) {
      last = (this.statements.lastSeq.get(deviceId) as number | undefined) ?? 0;
      this.lastSeqs.set(deviceId, last);
    }
    return last;
  }

  /**
   * Make `lines`, the devices' new sequence numbers and the types of the metrics they bring
   * for the first time durable together (one synced commit). A type written for a metric the
   * spool already holds replaces it: the hub's catalogue decided it before the ack.
   */
  write(lines: readonly string[], seqs: ReadonlyMap<string, number>, newMetrics: readonly MetricEntry[] = []): void {
    const text = JSON.stringify(lines);
    const bytes = Buffer.byteLength(text);
    if (!this.hasRoomFor(bytes)) throw new SpoolFullError(this.spooledBytes, this.maxBytes);
    let id = 0;
    this.db.transaction(() => {
      if (lines.length > 0) id = Number(this.statements.insert.run(text, lines.length, bytes, Date.now()).lastInsertRowid);
      for (const [deviceId, seq] of seqs) this.statements.upsertSeq.run(deviceId, seq);
      for (const { deviceId, metric, type } of newMetrics) this.statements.upsertType.run(deviceId, metric, type);
    })();
    for (const [deviceId, seq] of seqs) this.lastSeqs.set(deviceId, seq);
    if (id > 0) {
      if (this.recentPoints + lines.length <= this.maxRecentPoints) {
        this.recent.set(id, lines);
        this.recentPoints += lines.length;
      }
      this.spooledBytes += bytes;
      this.spooledPoints += lines.length;
      this.spooledEntries++;
      this.newestId = id;
    }
  }

  /** The oldest entries, whole, up to about `maxPoints` lines (at least one entry). */
  oldest(maxPoints: number): SpooledRun | undefined {
    const run: SpooledRun = { throughId: 0, lines: [], bytes: 0 };
    let after = this.deliveredId;
    for (;;) {
      // Sizes first: an entry's text is read only when it joins the run, and only if not in memory.
      const rows = this.statements.oldest.all(after) as { id: number; points: number; bytes: number }[];
      for (const row of rows) {
        if (run.lines.length > 0 && run.lines.length + row.points > maxPoints) return run;
        const lines = this.recent.get(row.id) ?? (JSON.parse(this.statements.linesOf.get(row.id) as string) as string[]);
        for (const line of lines) run.lines.push(line);
        run.throughId = row.id;
        run.bytes += row.bytes;
        after = row.id;
      }
      if (rows.length < 64) return run.throughId === 0 ? undefined : run;
    }
  }

  /** Forget the entries of a run once InfluxDB holds them. */
  remove(run: SpooledRun): void {
    const removed = this.statements.removeThrough.run(run.throughId).changes;
    this.spooledBytes -= run.bytes;
    this.spooledPoints -= run.lines.length;
    this.spooledEntries -= removed;
    this.deliveredId = run.throughId;
    for (const [id, lines] of this.recent) {
      if (id > run.throughId) break;
      this.recent.delete(id);
      this.recentPoints -= lines.length;
    }
  }

  /** A device's metrics and their types. */
  metricTypesOf(deviceId: string): DeviceMetric[] {
    return this.statements.deviceTypes.all(deviceId) as DeviceMetric[];
  }

  /** Every (device, metric) the spool holds a type for. */
  metricTypes(): MetricEntry[] {
    return this.statements.allTypes.all() as MetricEntry[];
  }

  /** A device written by a hub older than the spool's metric types, whose types are still to be read back; undefined when none is left. */
  nextToBackfill(): string | undefined {
    return this.statements.nextToBackfill.get() as string | undefined;
  }

  /** Record the types read back for a device; a type the spool already holds (written since by this hub) stays. */
  backfilled(deviceId: string, metrics: readonly DeviceMetric[]): void {
    this.db.transaction(() => {
      for (const { metric, type } of metrics) this.statements.insertTypeIfNew.run(deviceId, metric, type);
      this.statements.backfilled.run(deviceId);
    })();
  }

  forgetDevice(deviceId: string): void {
    this.db.transaction(() => {
      this.statements.deleteSeq.run(deviceId);
      this.statements.deleteTypes.run(deviceId);
      this.statements.backfilled.run(deviceId);
    })();
    this.lastSeqs.delete(deviceId);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
