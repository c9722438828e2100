import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import { ConfigError, redactUrl } from "../../config/load-config.js";
import type { MetadataStore } from "../metadata-store.js";
import { PgAlarmRepository } from "./pg-alarm-repository.js";
import { PgApiKeyRepository } from "./pg-api-key-repository.js";
import { PgAuditLog } from "./pg-audit-log.js";
import { PgCommandStore } from "./pg-command-store.js";
import { openPgDatabase } from "./pg-database.js";
import { PgDesiredConfigStore } from "./pg-desired-config-store.js";
import { PgDeviceRepository } from "./pg-device-repository.js";
import { migratePg } from "./pg-migrate.js";
import { PgNotificationRepository } from "./pg-notification-repository.js";
import { PgPreferenceRepository } from "./pg-preference-repository.js";
import { PgProfileRepository } from "./pg-profile-repository.js";
import { openPgSecrets } from "./pg-secrets.js";
import { PgSessionRepository } from "./pg-session-repository.js";
import { PgUserRepository } from "./pg-user-repository.js";

/** The advisory lock of the start-up steps (`exclusively`): 'tlh1', apart from the migrations' lock. */
const START_UP_LOCK_KEY = 0x746c6831;

/**
 * The cluster's metadata store on PostgreSQL (`cluster.postgresUrl`): a connection pool, the
 * schema migrated once by whichever instance gets the advisory lock first, and every repository.
 */
export async function openPostgresMetadata(config: HubConfig, log: pino.Logger, now: () => number): Promise<MetadataStore> {
  const { postgresUrl, postgresPoolSize } = config.cluster;
  const db = openPgDatabase(postgresUrl, {
    poolSize: postgresPoolSize,
    onIdleError: (error) => log.warn({ err: error }, "a PostgreSQL connection failed while idle; the pool replaces it"),
  });
  try {
    const applied = await migratePg(db);
    if (applied.length > 0) log.info({ versions: applied }, "applied PostgreSQL schema migrations");
    const secrets = await openPgSecrets(db, config, log, now);
    return {
      kind: "postgres",
      secrets,
      devices: new PgDeviceRepository(db),
      apiKeys: new PgApiKeyRepository(db),
      users: new PgUserRepository(db),
      sessions: new PgSessionRepository(db),
      preferences: new PgPreferenceRepository(db),
      audit: new PgAuditLog(db),
      commands: new PgCommandStore(db, secrets),
      desiredConfig: new PgDesiredConfigStore(db, secrets),
      profiles: new PgProfileRepository(db, secrets),
      alarms: new PgAlarmRepository(db, secrets),
      notifications: new PgNotificationRepository(db, secrets, now),
      exclusively: (work) =>
        db.withConnection(async (connection) => {
          await connection.query("SELECT pg_advisory_lock($1)", [START_UP_LOCK_KEY]);
          try {
            return await work();
          } finally {
            await connection.query("SELECT pg_advisory_unlock($1)", [START_UP_LOCK_KEY]);
          }
        }),
      ping: async () => {
        await db.query("SELECT 1");
      },
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    if (error instanceof ConfigError) throw error;
    throw new Error(`PostgreSQL at ${redactUrl(postgresUrl)}: ${(error as Error).message}`, { cause: error });
  }
}
