import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "../../logger.js";
import { InfluxTelemetryStore } from "../influx/influx-telemetry-store.js";
import { loggedReports, SqliteTelemetryStore } from "../sqlite/sqlite-telemetry-store.js";
import type { TelemetryStore } from "../telemetry-store.js";
import type { StoreAnswer, StoreCall, StoreError, StoreMetrics, StoreReport } from "./store-messages.js";
import type { StoreRecipe } from "./store-recipe.js";

const port = parentPort;
if (!port) throw new Error("telemetry-store-worker runs only as a worker thread");
const recipe = workerData as StoreRecipe;

/** What the main thread needs of an error: the SQLite code and the store's own "unavailable" mark decide between 503 and 500. */
function errorOf(error: unknown): StoreError {
  const { name, message, code, storeUnavailable } = error as Error & { code?: unknown; storeUnavailable?: unknown };
  return { name, message, ...(typeof code === "string" ? { code } : {}), ...(storeUnavailable === true ? { storeUnavailable } : {}) };
}

/** The store's metric reports, posted to the main thread's registry. */
const relay =
  (report: StoreReport["report"]) =>
  (...args: number[]) =>
    port.postMessage({ report, args } satisfies StoreReport);
const metrics: StoreMetrics = {
  spool: relay("spool"),
  writeSeconds: relay("writeSeconds"),
  writeError: relay("writeError"),
  deadLettered: relay("deadLettered"),
  mergeRound: relay("mergeRound"),
  mergeFailed: relay("mergeFailed"),
};

function build(): TelemetryStore {
  if (recipe.kind === "sqlite") {
    const log = createLogger({ logLevel: recipe.logLevel }).child({ component: "sqlite" });
    return new SqliteTelemetryStore(recipe.path, recipe.synchronous, { ...loggedReports(log), metrics });
  }
  const log = createLogger({ logLevel: recipe.logLevel }).child({ component: "influx" });
  return new InfluxTelemetryStore({ influx: recipe.influx, dataDir: recipe.dataDir, metrics, log });
}

let store: TelemetryStore;
try {
  store = build();
  port.postMessage({ id: 0, ok: true, value: null } satisfies StoreAnswer);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: errorOf(error) } satisfies StoreAnswer);
  process.exit(1);
}

// Calls run in the order they arrive. The SQLite store commits synchronously, so its appends
// also finish in that order; the InfluxDB store keeps its own order in the spool.
port.on("message", async (call: StoreCall) => {
  let answer: StoreAnswer;
  try {
    const value = await (store[call.method] as (...args: unknown[]) => Promise<unknown>).apply(store, call.args);
    answer = { id: call.id, ok: true, value };
  } catch (error) {
    answer = { id: call.id, ok: false, error: errorOf(error) };
  }
  port.postMessage(answer);
  if (call.method === "close") port.close();
});
