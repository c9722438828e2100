import type { Migration } from "./open-database.js";

/**
 * Schema of the metadata database (`meta.db`): devices, operators' API keys, commands, configuration, profiles, preferences,
 * alarm rules with their alarms and evaluation states, notification channels and their deliveries.
 */
export const META_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "devices and api keys",
    up: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        firmware TEXT,
        model TEXT,
        attributes TEXT NOT NULL DEFAULT '{}',
        labels TEXT NOT NULL DEFAULT '{}',
        clock_skew_ms INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX devices_name ON devices (name);
      CREATE INDEX devices_created_at ON devices (created_at);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );
    `,
  },
  {
    version: 2,
    description: "commands, desired configuration, audit log",
    up: `
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        name TEXT NOT NULL,
        args TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL,
        deadline INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        error TEXT,
        idempotency_key TEXT,
        created_by TEXT,
        transitions TEXT NOT NULL
      );
      CREATE INDEX commands_device_state ON commands (device_id, state, created_at);
      CREATE INDEX commands_deadline ON commands (deadline) WHERE deadline IS NOT NULL;
      CREATE INDEX commands_created_at ON commands (created_at);
      CREATE UNIQUE INDEX commands_idempotency ON commands (device_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE TABLE device_config (
        device_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT,
        reported_version INTEGER NOT NULL DEFAULT 0,
        reported_at INTEGER,
        reported_error TEXT
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL
      );
      CREATE INDEX audit_log_at ON audit_log (at);
    `,
  },
  {
    version: 3,
    description: "a rotated device token that still works until a grace period ends",
    up: `
      ALTER TABLE devices ADD COLUMN previous_token_hash TEXT;
      ALTER TABLE devices ADD COLUMN previous_token_valid_until INTEGER;
    `,
  },
  {
    version: 4,
    description: "operator accounts: users, sessions, key owners and expiry, audit actor names",
    up: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        password_changed_at INTEGER NOT NULL,
        last_login_at INTEGER,
        disabled_at INTEGER,
        deleted_at INTEGER
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      ALTER TABLE api_keys ADD COLUMN owner_id TEXT REFERENCES users (id);
      ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
      ALTER TABLE audit_log ADD COLUMN actor_name TEXT;
      ALTER TABLE audit_log ADD COLUMN owner TEXT;
    `,
  },
  {
    version: 5,
    description: "the ids of the keys that encrypt secret values (a start with another key is refused)",
    up: `
      CREATE TABLE secret_keys (
        id TEXT PRIMARY KEY,
        recorded_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: "device profiles with their history; a device's profile and the commands its hello reported",
    up: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        built_in INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      );
      CREATE TABLE profile_versions (
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT,
        PRIMARY KEY (profile_id, version)
      );
      ALTER TABLE devices ADD COLUMN profile_id TEXT REFERENCES profiles (id);
      ALTER TABLE devices ADD COLUMN reported_commands TEXT NOT NULL DEFAULT '[]';
      CREATE INDEX devices_profile_id ON devices (profile_id);
    `,
  },
  {
    version: 7,
    description: "dashboard preferences per user or key; natural sort keys of device ids and names",
    // The sort keys are computed in TypeScript (natural-sort-key.ts): the device repository fills
    // in those still NULL when it opens, and sets them on every create and rename.
    up: `
      CREATE TABLE preferences (
        owner TEXT PRIMARY KEY,
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      ALTER TABLE devices ADD COLUMN id_sort_key TEXT;
      ALTER TABLE devices ADD COLUMN name_sort_key TEXT;
      CREATE INDEX devices_id_sort_key ON devices (id_sort_key, id);
      CREATE INDEX devices_name_sort_key ON devices (name_sort_key, id);
    `,
  },
  {
    version: 8,
    description: "alarm rules, alarms with their transitions, evaluation states; notification channels, deliveries, reminders",
    // At most one active alarm per (rule, device): the partial unique index, not the code, is what holds it.
    // Deliveries name their alarms twice: alarm_ids (JSON, read back whole) and notification_delivery_alarms
    // (one row per alarm, so that the deliveries of one alarm are found without reading every delivery).
    up: `
      CREATE TABLE alarm_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        definition TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      );
      CREATE INDEX alarm_rules_name ON alarm_rules (name, id);
      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        device_id TEXT NOT NULL,
        profile_id TEXT,
        severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
        peak_severity TEXT NOT NULL CHECK (peak_severity IN ('critical', 'major', 'minor', 'warning')),
        status TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
        acknowledged INTEGER NOT NULL DEFAULT 0,
        raised_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        cleared_at INTEGER,
        cleared_by TEXT,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        value TEXT,
        message TEXT NOT NULL
      );
      CREATE UNIQUE INDEX alarms_one_active ON alarms (rule_id, device_id) WHERE status = 'active';
      CREATE INDEX alarms_raised_at ON alarms (raised_at);
      CREATE INDEX alarms_status ON alarms (status, raised_at);
      CREATE INDEX alarms_device ON alarms (device_id, raised_at);
      CREATE INDEX alarms_rule ON alarms (rule_id, raised_at);
      CREATE INDEX alarms_profile ON alarms (profile_id, raised_at);
      CREATE TABLE alarm_transitions (
        alarm_id TEXT NOT NULL REFERENCES alarms (id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        severity TEXT NOT NULL,
        by TEXT NOT NULL,
        by_name TEXT,
        comment TEXT,
        value TEXT,
        PRIMARY KEY (alarm_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE alarm_states (
        rule_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (rule_id, device_id)
      ) WITHOUT ROWID;
      CREATE TABLE notification_channels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        definition TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      );
      CREATE INDEX notification_channels_name ON notification_channels (name, id);
      CREATE TABLE notification_deliveries (
        id TEXT PRIMARY KEY,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        alarm_ids TEXT NOT NULL,
        event TEXT,
        summary TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER,
        attempts TEXT NOT NULL
      );
      CREATE INDEX notification_deliveries_created_at ON notification_deliveries (created_at);
      CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, created_at);
      CREATE INDEX notification_deliveries_status ON notification_deliveries (status, created_at);
      CREATE TABLE notification_delivery_alarms (
        alarm_id TEXT NOT NULL,
        delivery_id TEXT NOT NULL REFERENCES notification_deliveries (id),
        PRIMARY KEY (alarm_id, delivery_id)
      ) WITHOUT ROWID;
      CREATE TABLE notification_marks (
        channel_id TEXT NOT NULL,
        alarm_id TEXT NOT NULL,
        last_notified_at INTEGER NOT NULL,
        PRIMARY KEY (channel_id, alarm_id)
      ) WITHOUT ROWID;
    `,
  },
];
