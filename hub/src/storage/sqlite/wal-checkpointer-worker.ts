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
const db = new Database(path);
db.pragma("busy_timeout = 1000");
// A checkpoint syncs the WAL before copying it and the database file after, so a crash between
// the two loses nothing.
db.pragma("synchronous = FULL");

/** The error last reported, so a failure that repeats every interval is reported once. */
let failing: string | undefined;
const timer = setInterval(() => {
  let error: string | undefined;
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (thrown) {
    error = (thrown as Error).message;
  }
  if (error !== undefined && error !== failing) port.postMessage({ error });
  failing = error;
}, intervalMs);

// Closing the port ends the thread once the connection is closed.
port.once("message", () => {
  clearInterval(timer);
  db.close();
  port.close();
});
