import { parentPort, workerData } from "node:worker_threads";
import type { SqliteSynchronous } from "../sqlite/open-database.js";
import { SqliteTelemetryStore } from "../sqlite/sqlite-telemetry-store.js";
import type { StoreAnswer, StoreCall } from "./store-messages.js";

/** What the main thread passes when it starts this worker. */
export interface SqliteWorkerData {
  path: string;
  synchronous: SqliteSynchronous;
}

const port = parentPort;
if (!port) throw new Error("sqlite-store-worker runs only as a worker thread");
const { path, synchronous } = workerData as SqliteWorkerData;
let store: SqliteTelemetryStore;
try {
  store = new SqliteTelemetryStore(path, synchronous);
  port.postMessage({ id: 0, ok: true, value: null } satisfies StoreAnswer);
} catch (error) {
  const { name, message } = error as Error;
  port.postMessage({ id: 0, ok: false, error: { name, message } } satisfies StoreAnswer);
  process.exit(1);
}

// Calls arrive in order and each runs to completion (better-sqlite3 is synchronous), so
// appends commit in the order the main thread made them.
port.on("message", async (call: StoreCall) => {
  let answer: StoreAnswer;
  try {
    const value = await (store[call.method] as (...args: unknown[]) => Promise<unknown>).apply(store, call.args);
    answer = { id: call.id, ok: true, value };
  } catch (error) {
    const { name, message, code } = error as Error & { code?: string };
    answer = { id: call.id, ok: false, error: { name, message, ...(typeof code === "string" ? { code } : {}) } };
  }
  port.postMessage(answer);
  if (call.method === "close") port.close();
});
