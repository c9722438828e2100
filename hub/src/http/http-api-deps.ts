import type { Accounts } from "../accounts/accounts.js";
import type { AlarmApi } from "../alarms/alarm-api.js";
import type { NotificationApi } from "../alarms/notification-api.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { CommandService } from "../commands/command-service.js";
import type { CommandStore } from "../commands/command-store.js";
import type { HubConfig } from "../config/hub-config.js";
import type { DesiredConfigService } from "../desired-config/desired-config-service.js";
import type { DrainState } from "../drain-state.js";
import type { ReadingFreshness } from "../fleet/reading-freshness.js";
import type { DevicePresence } from "../gateway/device-presence.js";
import type { BatchAdmission } from "../ingest/batch-admission.js";
import type { LiveHub } from "../live/live-hub.js";
import type { HubMetrics } from "../metrics.js";
import type { ProfileService } from "../profiles/profile-service.js";
import type { ClientAddresses } from "../security/client-address.js";
import type { FailureThrottle } from "../security/failure-throttle.js";
import type { SecretMarking } from "../security/secret-marking.js";
import type { ApiKeyRepository } from "../storage/api-key-repository.js";
import type { DeviceRepository } from "../storage/device-repository.js";
import type { PreferenceRepository } from "../storage/preference-repository.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";
import type { ApiAuthenticator } from "./authentication.js";

/** What the HTTP API needs from the rest of the hub. */
export interface HttpApiDeps {
  config: HubConfig;
  devices: DeviceRepository;
  apiKeys: ApiKeyRepository;
  telemetry: TelemetryStore;
  /** Forgets a deleted device's metric types. */
  admission: BatchAdmission;
  presence: DevicePresence;
  /** The newest reading of each connected device: which are stale. */
  freshness: ReadingFreshness;
  /** Each user's and key's dashboard preferences. */
  preferences: PreferenceRepository;
  metrics: HubMetrics;
  /** Clock (ms since epoch); tests may inject one. */
  now: () => number;
  commands: CommandService;
  commandStore: CommandStore;
  desiredConfig: DesiredConfigService;
  audit: AuditLog;
  live: LiveHub;
  /** Backoff on repeated API authentication failures per (identity, address); not shared with devices. */
  apiThrottle: FailureThrottle;
  /** The client address of a request (trusted proxies' headers believed). */
  clientAddresses: ClientAddresses;
  /** Which command and configuration values are secret (redacted for viewers and in the audit log). */
  secrets: SecretMarking;
  /** Who a request is: API key or session cookie. */
  authenticator: ApiAuthenticator;
  /** Users, sessions, password checks. */
  accounts: Accounts;
  /** Device profiles: kept, versioned, given to devices; they check command arguments. */
  profiles: ProfileService;
  /** Alarm rules, alarms and backtests. */
  alarms: AlarmApi;
  /** Notification channels and deliveries. */
  notifications: NotificationApi;
  /** The hub's drain before shutdown: `/readyz` answers 503 `draining` while it lasts. Default: never draining. */
  drain?: DrainState;
  /** Readiness of the engines besides the two stores, by name (a cluster instance: `nats`); each rejects when its engine is away. */
  engineChecks?: Readonly<Record<string, () => Promise<void>>>;
}
