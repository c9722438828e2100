import type Database from "better-sqlite3";

/**
 * Runs transactions committed at `synchronous = NORMAL` (no fsync of their own), putting the
 * connection's setting back after each. In WAL mode such a commit survives a crash of the process;
 * a power cut can cost it, and the commits after it, until the next synced commit or checkpoint:
 * what is lost is always a suffix, never a hole. For writes the hub makes many of per second on
 * the main thread, where an fsync each would stall the event loop.
 */
export class UnsyncedTransactions {
  private readonly readSetting: Database.Statement;
  private readonly unsync: Database.Statement;
  /** `PRAGMA synchronous = n` by n, prepared once (`db.pragma` prepares every call: tens of µs on the hot path). */
  private readonly restore = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.readSetting = db.prepare("PRAGMA synchronous").pluck();
    this.unsync = db.prepare("PRAGMA synchronous = NORMAL");
  }

  run<T>(work: () => T): T {
    const synchronous = this.readSetting.get() as number;
    // OFF (0) or NORMAL (1) already (`storage.sqliteSynchronous`): nothing to lower.
    if (synchronous <= 1) return this.db.transaction(work)();
    this.unsync.run();
    try {
      return this.db.transaction(work)();
    } finally {
      this.restoreTo(synchronous).run();
    }
  }

  private restoreTo(synchronous: number): Database.Statement {
    let statement = this.restore.get(synchronous);
    if (!statement) {
      statement = this.db.prepare(`PRAGMA synchronous = ${synchronous}`);
      this.restore.set(synchronous, statement);
    }
    return statement;
  }
}
