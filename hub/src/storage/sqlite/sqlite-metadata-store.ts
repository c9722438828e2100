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

/** The embedded metadata store: `<dataDir>/meta.db`, migrated, its secret values sealed with the hub's key. */
export function openSqliteMetadata(config: HubConfig, log: pino.Logger, now: () => number): MetadataStore {
  const db = openDatabase(join(config.dataDir, "meta.db"), META_MIGRATIONS, config.storage.sqliteSynchronous);
  try {
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
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
