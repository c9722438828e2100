import type { PgDatabase, PgQueryable } from "./pg-database.js";

/**
 * `work` in one transaction committed with `synchronous_commit = off`: the commit does not wait
 * for its WAL to reach the disk. A crash of the PostgreSQL server can lose the last such commits
 * (a suffix of them, never a hole: any later synchronous commit flushes them too); a crash of
 * the hub loses nothing. PostgreSQL's counterpart of meta.db's `UnsyncedTransactions`, for the
 * writes the hub makes many of per second (the alarm evaluator's, reminder marks).
 */
export function unsyncedTransaction<T>(db: PgDatabase, work: (tx: PgQueryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SET LOCAL synchronous_commit = off");
    return work(tx);
  });
}
