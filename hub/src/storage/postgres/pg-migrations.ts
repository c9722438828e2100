import { CORE_SCHEMA } from "./pg-schema-core.js";
import { OPERATIONS_SCHEMA } from "./pg-schema-operations.js";

/** One schema step; `version`s are consecutive from 1 and never change once released. */
export interface PgMigration {
  version: number;
  description: string;
  up: string;
}

/** The cluster's metadata schema in PostgreSQL (the counterpart of `META_MIGRATIONS`). */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, description: "devices, api keys, users, sessions, preferences, audit log, secret keys", up: CORE_SCHEMA },
  { version: 2, description: "commands, desired configuration, profiles, alarms, notifications", up: OPERATIONS_SCHEMA },
];
