import type Database from "better-sqlite3";

/** How a round of merging is paced; the defaults suit the hub, tests shrink them. */
export interface ReadingLogPacing {
  /** A round starts this often while the log holds values. */
  roundIntervalMs: number;
  /** …or as soon as this many values have been logged since the last round began. */
  roundAfterValues: number;
  /** Log rows copied aside per step of a round. */
  copyRowsPerStep: number;
  /** Series merged into `readings` per step of a round. */
  seriesPerStep: number;
}

export const DEFAULT_READING_LOG_PACING: ReadingLogPacing = {
  roundIntervalMs: 30_000,
  roundAfterValues: 200_000,
  copyRowsPerStep: 1_000,
  seriesPerStep: 20,
};

const UPSERT_READING =
  "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, type = excluded.type, received_at = excluded.received_at";
const RAISE_SEQ = "ON CONFLICT (device_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)";
/** Rows a read has merged already (`temp.merged_through`) are not merged again. */
const NOT_MERGED = "LEFT JOIN temp.merged_through m ON m.series_id = l.series_id WHERE l.id > COALESCE(m.through, 0)";

/** Where a round is: copying log rows aside by id, then merging them series by series. */
interface Round {
  through: number;
  copiedThrough: number;
  series: number[] | undefined;
  nextSeries: number;
  values: number;
  startedAt: number;
}

/** What a {@link ReadingLog} tells about its rounds. */
export interface ReadingLogEvents {
  /** A round finished: the values it merged, and its length from start to end. */
  merged?(values: number, seconds: number): void;
  /** A round failed; the log keeps its values and the next round starts over. */
  failed?(reason: string): void;
  /** At open, the log still held values (the last run did not stop cleanly): they are merged. */
  recovered?(values: number, seconds: number): void;
}

/**
 * The append side of the embedded store. A commit appends each value to `reading_log`, in
 * arrival order, so it dirties the log's last page or two; writing each value straight into
 * `readings`, which is ordered by series, dirtied one page per series per commit (about 8.7 KB
 * written per value at 1,000 devices × 5 metrics, docs/benchmarks.md).
 *
 * Rounds merge the log into `readings` (and the devices' sequence numbers into
 * `batch_sequences`) so that each series page is written once per round. A round is done in
 * short steps, each its own transaction, with the event loop free between them: copy a slice of
 * the log, by id, into a sorted in-memory table; then merge a few series at a time from it;
 * at last delete the merged prefix of the log, a slice at a time. A read merges the device it
 * reads first, so it sees every value the store has acknowledged.
 *
 * Why it is safe: for each series, values are applied in log order, and a read that ran ahead
 * of the round (`temp.merged_through`) is not undone by it. The log is only ever cut at a prefix
 * every row of which is merged, and merging any suffix of the log again in order yields the same
 * `readings`: a crash anywhere is repaired by {@link mergeAll} at the next open.
 */
export class ReadingLog {
  private nextId = 1;
  /** Every log row up to this id is merged and deleted. */
  private cutThrough = 0;
  private loggedSinceRound = 0;
  /** Per device: the newest log id of its values, and the id through which a read merged them. */
  private readonly loggedThrough = new Map<string, number>();
  private readonly readThrough = new Map<string, number>();
  private round: Round | undefined;
  private stepScheduled = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly events: ReadingLogEvents = {},
    private readonly pacing: ReadingLogPacing = DEFAULT_READING_LOG_PACING,
  ) {
    db.pragma("temp_store = MEMORY");
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS round (
        series_id INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL,
        value ANY, type INTEGER NOT NULL, received_at INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (series_id, ts, id)
      ) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS merged_through (series_id INTEGER PRIMARY KEY, through INTEGER NOT NULL);
    `);
    this.statements = {
      append: db.prepare("INSERT INTO reading_log (id, series_id, ts, value, type, received_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      logHasRows: db.prepare("SELECT EXISTS (SELECT 1 FROM reading_log)").pluck(),
      copy: db.prepare(
        "INSERT INTO temp.round SELECT series_id, ts, id, value, type, received_at, seq FROM reading_log WHERE id > ? AND id <= ?",
      ),
      roundSeries: db.prepare("SELECT DISTINCT series_id FROM temp.round ORDER BY series_id").pluck(),
      mergeRoundSeries: db.prepare(
        `INSERT INTO readings (series_id, ts, value, type, received_at)
           SELECT l.series_id, l.ts, l.value, l.type, l.received_at FROM temp.round l ${NOT_MERGED}
              AND l.series_id BETWEEN @first AND @last ORDER BY l.series_id, l.ts, l.id ${UPSERT_READING}`,
      ),
      // Every row's sequence counts, merged by a read or not: the log rows are cut after the round.
      raiseRoundSeqs: db.prepare(
        `INSERT INTO batch_sequences (device_id, last_seq)
           SELECT s.device_id, MAX(l.seq) FROM temp.round l JOIN series s ON s.id = l.series_id
            WHERE l.series_id BETWEEN @first AND @last GROUP BY s.device_id ${RAISE_SEQ}`,
      ),
      cutLog: db.prepare("DELETE FROM reading_log WHERE id > ? AND id <= ?"),
      clearRound: db.prepare("DELETE FROM temp.round"),
      forgetMergedThrough: db.prepare("DELETE FROM temp.merged_through WHERE through <= ?"),
      mergeDevice: db.prepare(
        `INSERT INTO readings (series_id, ts, value, type, received_at)
           SELECT l.series_id, l.ts, l.value, l.type, l.received_at FROM reading_log l ${NOT_MERGED}
              AND l.id > @after AND l.series_id IN (SELECT id FROM series WHERE device_id = @device) ORDER BY l.series_id, l.ts, l.id ${UPSERT_READING}`,
      ),
      markDevice: db.prepare(
        `INSERT INTO temp.merged_through (series_id, through) SELECT id, @through FROM series WHERE device_id = @device
           ON CONFLICT (series_id) DO UPDATE SET through = MAX(through, excluded.through)`,
      ),
      mergeEverything: db.prepare(
        `INSERT INTO readings (series_id, ts, value, type, received_at)
           SELECT l.series_id, l.ts, l.value, l.type, l.received_at FROM reading_log l ${NOT_MERGED}
           ORDER BY l.series_id, l.ts, l.id ${UPSERT_READING}`,
      ),
      raiseAllSeqs: db.prepare(
        `INSERT INTO batch_sequences (device_id, last_seq)
           SELECT s.device_id, MAX(l.seq) FROM reading_log l JOIN series s ON s.id = l.series_id WHERE true GROUP BY s.device_id ${RAISE_SEQ}`,
      ),
      emptyLog: db.prepare("DELETE FROM reading_log"),
      emptyMergedThrough: db.prepare("DELETE FROM temp.merged_through"),
      forgetDeviceLog: db.prepare("DELETE FROM reading_log WHERE series_id IN (SELECT id FROM series WHERE device_id = ?)"),
      forgetDeviceRound: db.prepare("DELETE FROM temp.round WHERE series_id IN (SELECT id FROM series WHERE device_id = ?)"),
      forgetDeviceMerged: db.prepare("DELETE FROM temp.merged_through WHERE series_id IN (SELECT id FROM series WHERE device_id = ?)"),
    };
    const startedAt = performance.now();
    const left = this.mergeAll();
    if (left > 0) this.events.recovered?.(left, (performance.now() - startedAt) / 1000);
    this.timer = setInterval(() => this.startRound(), pacing.roundIntervalMs);
    this.timer.unref();
  }

  /** Log one value; called inside the caller's append transaction. */
  append(deviceId: string, seriesId: number, ts: number, value: number | string, type: number, receivedAt: number, seq: number): void {
    const id = this.nextId++;
    this.statements.append.run(id, seriesId, ts, value, type, receivedAt, seq);
    this.loggedThrough.set(deviceId, id);
    this.loggedSinceRound++;
  }

  /** After an append commits: a busy log starts its round early, so it stays bounded. */
  appended(): void {
    if (this.loggedSinceRound >= this.pacing.roundAfterValues) this.startRound();
  }

  /**
   * Merge every logged value of a device's series into `readings`, before reading them. Only
   * the log past the device's last merge is scanned, and nothing when it has logged nothing since.
   */
  mergeDevice(deviceId: string): void {
    const after = Math.max(this.cutThrough, this.readThrough.get(deviceId) ?? 0);
    if ((this.loggedThrough.get(deviceId) ?? 0) <= after) return;
    const through = this.nextId - 1;
    this.db.transaction(() => {
      this.statements.mergeDevice.run({ device: deviceId, after });
      this.statements.markDevice.run({ device: deviceId, through });
    })();
    this.readThrough.set(deviceId, through);
  }

  /** Merge the whole log and empty it (at open, at close, and before counting every value); answers the values it held. */
  mergeAll(): number {
    const values = this.db.transaction(() => {
      this.statements.mergeEverything.run();
      this.statements.raiseAllSeqs.run();
      const { changes } = this.statements.emptyLog.run();
      this.statements.clearRound.run();
      this.statements.emptyMergedThrough.run();
      return changes;
    })();
    this.round = undefined;
    this.cutThrough = this.nextId - 1;
    this.loggedSinceRound = 0;
    this.loggedThrough.clear();
    this.readThrough.clear();
    return values;
  }

  /** Drop a device's logged values; called inside the caller's transaction, before its series go. */
  forgetDevice(deviceId: string): void {
    this.statements.forgetDeviceLog.run(deviceId);
    this.statements.forgetDeviceRound.run(deviceId);
    this.statements.forgetDeviceMerged.run(deviceId);
    this.loggedThrough.delete(deviceId);
    this.readThrough.delete(deviceId);
  }

  /** Stop starting rounds; the caller merges what is left with {@link mergeAll}. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private startRound(): void {
    if (this.round || this.closed) return;
    if (this.loggedSinceRound === 0 && this.statements.logHasRows.get() === 0) return;
    this.statements.clearRound.run();
    this.round = {
      through: this.nextId - 1,
      copiedThrough: this.cutThrough,
      series: undefined,
      nextSeries: 0,
      values: 0,
      startedAt: performance.now(),
    };
    this.loggedSinceRound = 0;
    this.scheduleStep();
  }

  private scheduleStep(): void {
    if (this.stepScheduled) return;
    this.stepScheduled = true;
    setImmediate(() => {
      this.stepScheduled = false;
      if (this.closed || !this.db.open) return;
      let more: boolean;
      try {
        more = this.step();
      } catch (error) {
        // The log keeps every row of the abandoned round; the next round starts over.
        this.abandonRound();
        this.events.failed?.((error as Error).message);
        return;
      }
      if (more) this.scheduleStep();
    });
  }

  private abandonRound(): void {
    this.round = undefined;
    try {
      this.statements.clearRound.run();
    } catch {
      // startRound clears it again.
    }
  }

  /** One short transaction of the round in progress; answers whether more steps are left. */
  private step(): boolean {
    const round = this.round;
    if (!round) return false;
    const { copyRowsPerStep, seriesPerStep } = this.pacing;
    if (round.copiedThrough < round.through) {
      const to = Math.min(round.copiedThrough + copyRowsPerStep, round.through);
      round.values += this.statements.copy.run(round.copiedThrough, to).changes;
      round.copiedThrough = to;
      return true;
    }
    round.series ??= this.statements.roundSeries.all() as number[];
    if (round.nextSeries < round.series.length) {
      const chunk = round.series.slice(round.nextSeries, round.nextSeries + seriesPerStep);
      const span = { first: chunk[0], last: chunk[chunk.length - 1] };
      this.db.transaction(() => {
        this.statements.mergeRoundSeries.run(span);
        this.statements.raiseRoundSeqs.run(span);
      })();
      round.nextSeries += chunk.length;
      return true;
    }
    if (this.cutThrough < round.through) {
      // Cut in slices too: deleting a whole round's rows at once held the loop for about 27 ms.
      const to = Math.min(this.cutThrough + copyRowsPerStep, round.through);
      this.statements.cutLog.run(this.cutThrough, to);
      this.cutThrough = to;
      return true;
    }
    this.statements.clearRound.run();
    this.statements.forgetMergedThrough.run(round.through);
    this.round = undefined;
    this.events.merged?.(round.values, (performance.now() - round.startedAt) / 1000);
    for (const [deviceId, id] of this.loggedThrough) {
      if (id > round.through) continue;
      this.loggedThrough.delete(deviceId);
      this.readThrough.delete(deviceId);
    }
    return false;
  }
}
