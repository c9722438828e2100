import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import type { MetadataStore } from "../metadata-store.js";

/**
 * The cluster's metadata store on PostgreSQL (`cluster.postgresUrl`): a connection pool, the
 * schema migrated once by whichever instance gets the advisory lock first, and every repository.
 */
export async function openPostgresMetadata(_config: HubConfig, _log: pino.Logger, _now: () => number): Promise<MetadataStore> {
  throw new Error("the PostgreSQL metadata store is being built (issue #21)");
}
