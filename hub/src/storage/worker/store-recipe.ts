import type { HubConfig } from "../../config/hub-config.js";
import type { SqliteSynchronous } from "../sqlite/open-database.js";

/** How a worker thread builds the telemetry store it runs: plain data, since it crosses threads. */
export type StoreRecipe =
  | { kind: "sqlite"; path: string; synchronous: SqliteSynchronous; logLevel: HubConfig["logLevel"] }
  | { kind: "influxdb"; influx: HubConfig["influx"]; dataDir: string; logLevel: HubConfig["logLevel"] };
