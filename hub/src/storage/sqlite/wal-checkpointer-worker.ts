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

const timer = setInterval(() => {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
    port.postMessage({ checkpointed: result?.checkpointed ?? 0, log: result?.log ?? 0 });
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
}, intervalMs);

port.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  port.postMessage({ stopped: true });
});
