import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { MetadataStore } from "./metadata-store.js";
import { openPostgresMetadata } from "./postgres/pg-metadata-store.js";
import { openSqliteMetadata } from "./sqlite/sqlite-metadata-store.js";

/** The metadata store the configuration names: PostgreSQL in a cluster (`cluster.postgresUrl`), else the embedded `meta.db`. */
export async function openMetadataStore(config: HubConfig, log: pino.Logger, now: () => number): Promise<MetadataStore> {
  if (config.cluster.postgresUrl !== "") return openPostgresMetadata(config, log.child({ component: "postgres" }), now);
  return openSqliteMetadata(config, log, now);
}
