/**
 * PostgreSQL schema of what operators do with devices: commands, desired configuration, profiles,
 * alarms, notifications (migration 2; the counterpart of meta.db's migrations 2, 6 and 8).
 *
 * The columns are meta.db's, so that one row reads the same from either database: JSON is TEXT
 * (the same strings), times and versions are BIGINT (a device may report any version up to 2^53),
 * flags are INTEGER 0/1. Where meta.db breaks ties by `rowid` (the order rows were stored in),
 * these tables have `seq`, an identity column. Text a list is sorted by is `COLLATE "C"` (byte
 * order, as SQLite sorts), whatever the database's locale. At most one active alarm per (rule,
 * device) is the partial unique index `alarms_one_active`, which holds across every hub instance
 * writing at once. As in meta.db, commands, configuration, alarms, deliveries, reminder marks and
 * evaluation states do not reference the devices, rules, channels or alarms they name: history
 * outlives what it names.
 */
export const OPERATIONS_SCHEMA = `
  CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    device_id TEXT NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    deadline BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    idempotency_key TEXT,
    created_by TEXT,
    transitions TEXT NOT NULL
  );
  CREATE INDEX commands_device_state ON commands (device_id, state, created_at, seq);
  CREATE INDEX commands_deadline ON commands (deadline, seq) WHERE deadline IS NOT NULL;
  CREATE INDEX commands_created_at ON commands (created_at, seq);
  CREATE UNIQUE INDEX commands_idempotency ON commands (device_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

  CREATE TABLE device_config (
    device_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    reported_version BIGINT NOT NULL DEFAULT 0,
    reported_at BIGINT,
    reported_error TEXT
  );

  CREATE TABLE profiles (
    id TEXT COLLATE "C" PRIMARY KEY,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    built_in INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
  );
  CREATE TABLE profile_versions (
    profile_id TEXT COLLATE "C" NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (profile_id, version)
  );
  -- devices (migration 1) comes before profiles: its reference to them is added here.
  ALTER TABLE devices ADD CONSTRAINT devices_profile_id_fkey FOREIGN KEY (profile_id) REFERENCES profiles (id);

  CREATE TABLE alarm_rules (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    definition TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
  );
  CREATE INDEX alarm_rules_name ON alarm_rules (name, id);

  CREATE TABLE alarms (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    rule_id TEXT NOT NULL,
    rule_name TEXT NOT NULL,
    device_id TEXT NOT NULL,
    profile_id TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
    peak_severity TEXT NOT NULL CHECK (peak_severity IN ('critical', 'major', 'minor', 'warning')),
    status TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
    acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    cleared_at BIGINT,
    cleared_by TEXT,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    value TEXT,
    message TEXT NOT NULL
  );
  CREATE UNIQUE INDEX alarms_one_active ON alarms (rule_id, device_id) WHERE status = 'active';
  CREATE INDEX alarms_raised_at ON alarms (raised_at, seq);
  CREATE INDEX alarms_status ON alarms (status, raised_at, seq);
  CREATE INDEX alarms_device ON alarms (device_id, raised_at, seq);
  CREATE INDEX alarms_rule ON alarms (rule_id, raised_at, seq);
  CREATE INDEX alarms_profile ON alarms (profile_id, raised_at, seq);
  CREATE TABLE alarm_transitions (
    alarm_id TEXT NOT NULL REFERENCES alarms (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    severity TEXT NOT NULL,
    by TEXT NOT NULL,
    by_name TEXT,
    comment TEXT,
    value TEXT,
    PRIMARY KEY (alarm_id, seq)
  );
  CREATE TABLE alarm_states (
    rule_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (rule_id, device_id)
  );

  CREATE TABLE notification_channels (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    definition TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
  );
  CREATE INDEX notification_channels_name ON notification_channels (name, id);
  CREATE TABLE notification_deliveries (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    channel_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    alarm_ids TEXT NOT NULL,
    event TEXT,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    attempts TEXT NOT NULL
  );
  CREATE INDEX notification_deliveries_created_at ON notification_deliveries (created_at, seq);
  CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, created_at, seq);
  CREATE INDEX notification_deliveries_status ON notification_deliveries (status, created_at, seq);
  -- A delivery's alarms, one row each, so that the deliveries of one alarm are found without reading every delivery.
  CREATE TABLE notification_delivery_alarms (
    alarm_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES notification_deliveries (id),
    PRIMARY KEY (alarm_id, delivery_id)
  );
  CREATE TABLE notification_marks (
    channel_id TEXT NOT NULL,
    alarm_id TEXT NOT NULL,
    last_notified_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, alarm_id)
  );
`;
