import type { AuditLog } from "../audit/audit-log.js";
import type { CommandStore } from "../commands/command-store.js";
import type { DesiredConfigStore } from "../desired-config/desired-config-store.js";
import type { SecretFields } from "../security/secret-fields.js";
import type { AlarmRepository } from "./alarm-repository.js";
import type { ApiKeyRepository } from "./api-key-repository.js";
import type { DeviceRepository } from "./device-repository.js";
import type { NotificationRepository } from "./notification-repository.js";
import type { PreferenceRepository } from "./preference-repository.js";
import type { ProfileRepository } from "./profile-repository.js";
import type { SessionRepository } from "./session-repository.js";
import type { UserRepository } from "./user-repository.js";

/**
 * Every repository of the hub's metadata, from one database: the embedded `meta.db` (single
 * node) or PostgreSQL (a cluster, docs/cluster.md). Each repository passes its contract suite
 * in `test/contracts/` on both.
 */
export interface MetadataStore {
  /** `sqlite` or `postgres`, for logs and `/metrics`. */
  readonly kind: "sqlite" | "postgres";
  /** Which values are secret, and the key that seals them at rest. */
  readonly secrets: SecretFields;
  readonly devices: DeviceRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly preferences: PreferenceRepository;
  readonly audit: AuditLog;
  readonly commands: CommandStore;
  readonly desiredConfig: DesiredConfigStore;
  readonly profiles: ProfileRepository;
  readonly alarms: AlarmRepository;
  readonly notifications: NotificationRepository;
  /**
   * Run `work` while no other instance of a cluster runs its own: the start-up steps that create
   * what must exist once (the first admin user and key, the built-in profiles). A single node just runs it.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
