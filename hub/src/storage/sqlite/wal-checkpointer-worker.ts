import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/** What the checkpointer thread is given. */
export interface CheckpointerData {
  path: string;
  intervalMs: number;
}

const port = parentPort;
if (!port) throw new Error("wal-checkpointer-worker runs only as a worker thread");
const { path, intervalMs } = workerData as CheckpointerData;

/** Opened at the first interval, and again after a failed open: a failure is reported, never fatal to the thread. */
let db: Database.Database | undefined;

function open(): Database.Database {
  const connection = new Database(path);
  try {
    connection.pragma("busy_timeout = 1000");
    // A checkpoint syncs the WAL before copying it and the database file after, so a crash between
    // the two loses nothing.
    connection.pragma("synchronous = FULL");
    return connection;
  } catch (error) {
    connection.close();
    throw error;
  }
}

/** The error last reported, so a failure that repeats every interval is reported once. */
let failing: string | undefined;
const timer = setInterval(() => {
  let error: string | undefined;
  try {
    db ??= open();
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (thrown) {
    // Posted as text: an error object crossing to the main thread loses SqliteError's message.
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  if (error !== undefined && error !== failing) port.postMessage({ error });
  failing = error;
}, intervalMs);

// Closing the port ends the thread once the connection is closed.
port.once("message", () => {
  clearInterval(timer);
  db?.close();
  port.close();
});
