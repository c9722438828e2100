import type Database from "better-sqlite3";

/**
 * Runs `work` in one transaction committed at `synchronous = NORMAL` (no fsync of its own), then
 * puts the connection's setting back. In WAL mode such a commit survives a crash of the process;
 * a power cut can cost it, and the commits after it, until the next synced commit or checkpoint:
 * what is lost is always a suffix, never a hole. For writes the hub makes many of per second on
 * the main thread, where an fsync each would stall the event loop.
 */
export function unsyncedTransaction<T>(db: Database.Database, work: () => T): T {
  const synchronous = db.pragma("synchronous", { simple: true }) as number;
  db.pragma("synchronous = NORMAL");
  try {
    return db.transaction(work)();
  } finally {
    db.pragma(`synchronous = ${synchronous}`);
  }
}
