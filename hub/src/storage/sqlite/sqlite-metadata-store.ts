import { join } from "node:path";
import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import type { MetadataStore } from "../metadata-store.js";
import { META_MIGRATIONS } from "./meta-migrations.js";
import { openMetaSecrets } from "./meta-secrets.js";
import { openDatabase } from "./open-database.js";
import { SqliteAlarmRepository } from "./sqlite-alarm-repository.js";
import { SqliteApiKeyRepository } from "./sqlite-api-key-repository.js";
import { SqliteAuditLog } from "./sqlite-audit-log.js";
import { SqliteCommandStore } from "./sqlite-command-store.js";
import { SqliteDesiredConfigStore } from "./sqlite-desired-config-store.js";
import { SqliteDeviceRepository } from "./sqlite-device-repository.js";
import { SqliteNotificationRepository } from "./sqlite-notification-repository.js";
import { SqlitePreferenceRepository } from "./sqlite-preference-repository.js";
import { SqliteProfileRepository } from "./sqlite-profile-repository.js";
import { SqliteSessionRepository } from "./sqlite-session-repository.js";
import { SqliteUserRepository } from "./sqlite-user-repository.js";
import { checkpointOffThread, type WalCheckpointer } from "./wal-checkpointer.js";

/** The embedded metadata store: `<dataDir>/meta.db`, migrated, its secret values sealed with the hub's key. */
export function openSqliteMetadata(config: HubConfig, log: pino.Logger, now: () => number): MetadataStore {
  const path = join(config.dataDir, "meta.db");
  const db = openDatabase(path, META_MIGRATIONS, config.storage.sqliteSynchronous);
  let checkpointer: WalCheckpointer | undefined;
  try {
    // Alarm steps and states, commands and audit entries commit many times a second: a checkpoint
    // (two file syncs) on the event loop every thousand pages held it up ~10 ms at a time.
    checkpointer = checkpointOffThread(db, path, (message) => log.error({ err: message }, "could not checkpoint meta.db's WAL"));
    const secrets = openMetaSecrets(db, config, log, now);
    return {
      kind: "sqlite",
      secrets,
      devices: new SqliteDeviceRepository(db),
      apiKeys: new SqliteApiKeyRepository(db),
      users: new SqliteUserRepository(db),
      sessions: new SqliteSessionRepository(db),
      preferences: new SqlitePreferenceRepository(db),
      audit: new SqliteAuditLog(db),
      commands: new SqliteCommandStore(db, secrets),
      desiredConfig: new SqliteDesiredConfigStore(db, secrets),
      profiles: new SqliteProfileRepository(db, secrets),
      alarms: new SqliteAlarmRepository(db, secrets),
      notifications: new SqliteNotificationRepository(db, secrets, now),
      exclusively: (work) => work(),
      ping: async () => {
        db.prepare("SELECT 1").get();
      },
      close: async () => {
        // Before the writer closes, so that its close can remove the WAL.
        await checkpointer?.stop();
        db.close();
      },
    };
  } catch (error) {
    void checkpointer?.stop();
    db.close();
    throw error;
  }
}
