/**
 * PostgreSQL schema of the accounts and the registry: devices, API keys, users, sessions,
 * preferences, audit, secret keys (migration 1; the counterpart of meta.db's migrations 1-5 and 7).
 *
 * The columns are meta.db's, so that one row reads the same from either database: JSON is TEXT
 * (the same strings, key order kept), times are BIGINT ms. Text that lists are sorted by, or that
 * is unique, is `COLLATE "C"` (byte order, as SQLite compares), whatever the database's locale.
 * The natural sort keys of device ids and names are computed in TypeScript (natural-sort-key.ts)
 * on every create and rename, as in meta.db. The reference from devices to profiles is added by
 * migration 2, which creates profiles.
 */
export const CORE_SCHEMA = `
  CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    last_login_at BIGINT,
    disabled_at BIGINT,
    deleted_at BIGINT
  );
  CREATE INDEX users_created_at ON users (created_at, id) WHERE deleted_at IS NULL;

  CREATE TABLE devices (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    firmware TEXT COLLATE "C",
    model TEXT COLLATE "C",
    attributes TEXT NOT NULL DEFAULT '{}',
    labels TEXT NOT NULL DEFAULT '{}',
    clock_skew_ms BIGINT,
    revoked_at BIGINT,
    previous_token_hash TEXT,
    previous_token_valid_until BIGINT,
    profile_id TEXT COLLATE "C",
    reported_commands TEXT NOT NULL DEFAULT '[]',
    id_sort_key TEXT COLLATE "C" NOT NULL,
    name_sort_key TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX devices_created_at ON devices (created_at, id);
  CREATE INDEX devices_last_seen_at ON devices (last_seen_at, id);
  CREATE INDEX devices_profile_id ON devices (profile_id);
  CREATE INDEX devices_id_sort_key ON devices (id_sort_key, id);
  CREATE INDEX devices_name_sort_key ON devices (name_sort_key, id);

  CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    secret_hash TEXT NOT NULL,
    owner_id TEXT COLLATE "C" REFERENCES users (id),
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX api_keys_owner ON api_keys (owner_id) WHERE revoked_at IS NULL;

  CREATE TABLE sessions (
    id_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_expires_at ON sessions (expires_at);
  CREATE INDEX sessions_revoked_at ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

  CREATE TABLE preferences (
    owner TEXT COLLATE "C" PRIMARY KEY,
    document TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );

  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT COLLATE "C" NOT NULL,
    actor_name TEXT,
    owner TEXT,
    action TEXT COLLATE "C" NOT NULL,
    target TEXT COLLATE "C" NOT NULL,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_actor ON audit_log (actor, id);
  CREATE INDEX audit_log_action ON audit_log (action, id);
  CREATE INDEX audit_log_target ON audit_log (target, id);

  CREATE TABLE secret_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    recorded_at BIGINT NOT NULL
  );
`;
