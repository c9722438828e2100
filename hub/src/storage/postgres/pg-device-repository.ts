import type { MetricValue } from "@telehub/device-client/protocol";
import {
  type DeviceHello,
  type DeviceListQuery,
  type DeviceRecord,
  type DeviceRepository,
  type DeviceSortField,
  type DeviceTokenHashes,
  DuplicateDeviceError,
  type FieldCount,
  type FleetCounts,
  type NewDevice,
  type PreviousToken,
} from "../device-repository.js";
import { naturalSortKey } from "../natural-sort-key.js";
import { UnknownProfileError } from "../profile-repository.js";
import { type DeviceRow, toRecord } from "../sqlite/sqlite-device-repository.js";
import type { PgDatabase } from "./pg-database.js";
import { unsyncedTransaction } from "./pg-unsynced.js";
import { isUniqueViolation } from "./pg-violations.js";

/** Ids and names sort naturally (`sim-2` before `sim-10`) by their stored keys. */
const SORT_COLUMNS: Record<DeviceSortField, string> = {
  id: "id_sort_key",
  name: "name_sort_key",
  createdAt: "created_at",
  lastSeenAt: "last_seen_at",
  firmware: "firmware",
  model: "model",
};

/** The reference to profiles, added by migration 2 (pg-schema-operations.ts). */
const PROFILE_REFERENCE = "devices_profile_id_fkey";

function isUnknownProfile(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === "23503" && constraint === PROFILE_REFERENCE;
}

/** Condition and values of a list query, numbered from `$1`. */
function listFilter(query: DeviceListQuery): { where: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const value = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  // lower() under "C" folds ASCII letters only, as SQLite's lower() does.
  if (query.search) {
    const search = `lower(${value(query.search)}::text COLLATE "C")`;
    conditions.push(`(strpos(lower(id), ${search}) > 0 OR strpos(lower(name COLLATE "C"), ${search}) > 0)`);
  }
  if (query.ids) conditions.push(`id = ANY(${value(query.ids)}::text[])`);
  if (query.excludeIds) conditions.push(`id <> ALL(${value(query.excludeIds)}::text[])`);
  if (query.revoked !== undefined) conditions.push(query.revoked ? "revoked_at IS NOT NULL" : "revoked_at IS NULL");
  if (query.model !== undefined) conditions.push(`model = ${value(query.model)}`);
  if (query.firmware !== undefined) conditions.push(`firmware = ${value(query.firmware)}`);
  if (query.profileId !== undefined) conditions.push(`profile_id = ${value(query.profileId)}`);
  for (const [key, wanted] of Object.entries(query.labels ?? {})) {
    conditions.push(`labels::jsonb ->> ${value(key)}::text = ${value(wanted)}`);
  }
  if (query.seen !== undefined) conditions.push(query.seen ? "last_seen_at IS NOT NULL" : "last_seen_at IS NULL");
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "", values };
}

/**
 * The device registry in PostgreSQL. Several hub instances write it at once: a taken id is the
 * primary key's refusal, last-seen times only move forwards, and batched writes lock their rows
 * in id order (no deadlock between two instances touching the same devices).
 */
export class PgDeviceRepository implements DeviceRepository {
  /** The row `tokenHashes` reads for an unknown id: a device this instance created or authenticated last. */
  private decoyId = "";

  constructor(private readonly db: PgDatabase) {}

  async create(device: NewDevice): Promise<DeviceRecord> {
    let row: DeviceRow;
    try {
      const { rows } = await this.db.query<DeviceRow>(
        `INSERT INTO devices (id, name, token_hash, created_at, updated_at, labels, profile_id, id_sort_key, name_sort_key)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8) RETURNING *`,
        [
          device.id,
          device.name,
          device.tokenHash,
          device.at,
          JSON.stringify(device.labels),
          device.profileId ?? null,
          naturalSortKey(device.id),
          naturalSortKey(device.name),
        ],
      );
      row = rows[0] as DeviceRow;
    } catch (error) {
      if (isUniqueViolation(error, "devices_pkey")) throw new DuplicateDeviceError(device.id);
      if (isUnknownProfile(error)) throw new UnknownProfileError(device.profileId ?? "");
      throw error;
    }
    this.decoyId = device.id;
    return toRecord(row);
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const { rows } = await this.db.query<DeviceRow>("SELECT * FROM devices WHERE id = $1", [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(query: DeviceListQuery): Promise<{ items: DeviceRecord[]; total: number }> {
    const { where, values } = listFilter(query);
    // SQLite sorts NULL first ascending and last descending; PostgreSQL the other way unless told.
    const direction = query.order === "desc" ? "DESC NULLS LAST" : "ASC NULLS FIRST";
    const n = values.length;
    const [page, count] = await Promise.all([
      this.db.query<DeviceRow>(
        `SELECT * FROM devices ${where} ORDER BY ${SORT_COLUMNS[query.sort]} ${direction}, id ASC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...values, query.limit, query.offset],
      ),
      this.db.query<{ total: number }>(`SELECT COUNT(*) AS total FROM devices ${where}`, values),
    ]);
    return { items: page.rows.map(toRecord), total: count.rows[0]?.total ?? 0 };
  }

  async update(
    id: string,
    patch: { name?: string; labels?: Record<string, string>; profileId?: string | null },
    at: number,
  ): Promise<DeviceRecord | undefined> {
    const values: unknown[] = [id, at];
    const sets: string[] = ["updated_at = $2"];
    const set = (column: string, value: unknown): void => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.name !== undefined) {
      set("name", patch.name);
      set("name_sort_key", naturalSortKey(patch.name));
    }
    if (patch.labels !== undefined) set("labels", JSON.stringify(patch.labels));
    if (patch.profileId !== undefined) set("profile_id", patch.profileId);
    try {
      const { rows } = await this.db.query<DeviceRow>(`UPDATE devices SET ${sets.join(", ")} WHERE id = $1 RETURNING *`, values);
      return rows[0] && toRecord(rows[0]);
    } catch (error) {
      if (isUnknownProfile(error)) throw new UnknownProfileError(patch.profileId ?? "");
      throw error;
    }
  }

  async assignProfileIfNone(id: string, profileId: string, at: number): Promise<boolean> {
    try {
      const { rowCount } = await this.db.query("UPDATE devices SET profile_id = $1, updated_at = $2 WHERE id = $3 AND profile_id IS NULL", [
        profileId,
        at,
        id,
      ]);
      return rowCount > 0;
    } catch (error) {
      if (isUnknownProfile(error)) throw new UnknownProfileError(profileId);
      throw error;
    }
  }

  async setTokenHash(id: string, tokenHash: string, at: number, previousValidUntil?: number): Promise<boolean> {
    const { rowCount } =
      previousValidUntil === undefined
        ? await this.db.query(
            "UPDATE devices SET token_hash = $1, previous_token_hash = NULL, previous_token_valid_until = NULL, revoked_at = NULL, updated_at = $2 WHERE id = $3",
            [tokenHash, at, id],
          )
        : await this.db.query(
            "UPDATE devices SET previous_token_hash = token_hash, previous_token_valid_until = $1, token_hash = $2, revoked_at = NULL, updated_at = $3 WHERE id = $4",
            [previousValidUntil, tokenHash, at, id],
          );
    return rowCount > 0;
  }

  async previousToken(id: string): Promise<PreviousToken | undefined> {
    const { rows } = await this.db.query<{ previous_token_hash: string | null; previous_token_valid_until: number | null }>(
      "SELECT previous_token_hash, previous_token_valid_until FROM devices WHERE id = $1",
      [id],
    );
    const row = rows[0];
    if (!row?.previous_token_hash || row.previous_token_valid_until === null) return undefined;
    return { tokenHash: row.previous_token_hash, validUntil: row.previous_token_valid_until };
  }

  /**
   * An unknown id reads a stand-in row (the decoy device's) instead: the same index searches and
   * row read either way, so the time does not tell whether the device exists.
   */
  async tokenHashes(id: string): Promise<DeviceTokenHashes | undefined> {
    const { rows } = await this.db.query<{
      found: boolean;
      token_hash: string;
      has_previous: boolean;
      previous_token_hash: string;
      previous_token_valid_until: number;
    }>(
      `SELECT id = $1 AS found, token_hash, previous_token_hash IS NOT NULL AS has_previous,
         COALESCE(previous_token_hash, token_hash) AS previous_token_hash, COALESCE(previous_token_valid_until, 0) AS previous_token_valid_until
       FROM devices WHERE id = COALESCE((SELECT id FROM devices WHERE id = $1), $2)`,
      [id, this.decoyId],
    );
    const row = rows[0];
    if (!row) return undefined;
    // Built for the stand-in row too, and then dropped: the same work either way.
    const hashes: DeviceTokenHashes = {
      tokenHash: row.token_hash,
      previous: row.has_previous ? { tokenHash: row.previous_token_hash, validUntil: row.previous_token_valid_until } : undefined,
    };
    if (!row.found) return undefined;
    this.decoyId = id;
    return hashes;
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "UPDATE devices SET revoked_at = $1, previous_token_hash = NULL, previous_token_valid_until = NULL, updated_at = $1 WHERE id = $2 AND revoked_at IS NULL",
      [at, id],
    );
    return rowCount > 0;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM devices WHERE id = $1", [id]);
    return rowCount > 0;
  }

  async recordHello(id: string, hello: DeviceHello): Promise<void> {
    await this.db.query(
      `UPDATE devices SET firmware = $2, model = $3, attributes = COALESCE($4, attributes), clock_skew_ms = $5,
         reported_commands = $6, last_seen_at = $7 WHERE id = $1`,
      [
        id,
        hello.firmware,
        hello.model,
        hello.attributes === null ? null : JSON.stringify(hello.attributes),
        hello.clockSkewMs,
        JSON.stringify(hello.commands ?? []),
        hello.at,
      ],
    );
  }

  /**
   * The merge is made here, on the row locked for it, so that the stored text keeps the order of
   * the keys as SQLite's `json_patch` does (PostgreSQL's `jsonb` would reorder them).
   */
  async mergeAttributes(id: string, attributes: Record<string, MetricValue>, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ attributes: string }>("SELECT attributes FROM devices WHERE id = $1 FOR UPDATE", [id]);
      const row = rows[0];
      if (!row) return;
      const merged = { ...(JSON.parse(row.attributes) as Record<string, MetricValue>), ...attributes };
      await tx.query("UPDATE devices SET attributes = $1, last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $2) WHERE id = $3", [
        JSON.stringify(merged),
        at,
        id,
      ]);
    });
  }

  /**
   * One statement for the batch, committed without waiting for the disk (as meta.db's): a crash
   * of the PostgreSQL server can cost the last few seconds of these times and nothing else.
   */
  async touchLastSeen(entries: readonly { id: string; at: number }[]): Promise<void> {
    if (entries.length === 0) return;
    await unsyncedTransaction(this.db, (tx) =>
      tx.query(
        `WITH latest AS (SELECT id, MAX(at) AS at FROM unnest($1::text[], $2::bigint[]) AS entry (id, at) GROUP BY id),
              locked AS (SELECT d.id FROM devices d JOIN latest USING (id) ORDER BY d.id FOR UPDATE OF d)
         UPDATE devices d SET last_seen_at = GREATEST(COALESCE(d.last_seen_at, 0), latest.at)
           FROM latest WHERE d.id = latest.id AND d.id IN (SELECT id FROM locked)`,
        [entries.map((entry) => entry.id), entries.map((entry) => entry.at)],
      ),
    );
  }

  async fleetCounts(connectedIds: readonly string[]): Promise<FleetCounts> {
    const statesQuery = this.db.query<Omit<FleetCounts, "firmware" | "models" | "profiles" | "labels">>(
      `SELECT COUNT(*) AS total, COUNT(revoked_at) AS revoked,
              COUNT(*) FILTER (WHERE revoked_at IS NULL AND online) AS online,
              COUNT(*) FILTER (WHERE revoked_at IS NULL AND NOT online AND last_seen_at IS NOT NULL) AS offline,
              COUNT(*) FILTER (WHERE revoked_at IS NULL AND NOT online AND last_seen_at IS NULL) AS never
         FROM (SELECT revoked_at, last_seen_at, id = ANY($1::text[]) AS online FROM devices) AS states`,
      [connectedIds],
    );
    const byField = async (column: string): Promise<FieldCount[]> =>
      (
        await this.db.query<FieldCount>(
          `SELECT ${column} AS value, COUNT(*) AS count FROM devices GROUP BY ${column} ORDER BY count DESC, value ASC NULLS FIRST`,
        )
      ).rows;
    const labelsQuery = this.db.query<FleetCounts["labels"][number]>(
      `SELECT l.key COLLATE "C" AS key, l.value COLLATE "C" AS value, COUNT(*) AS count
         FROM devices d, jsonb_each_text(d.labels::jsonb) AS l
        GROUP BY 1, 2 ORDER BY 1, count DESC, 2`,
    );
    const [states, firmware, models, profiles, labels] = await Promise.all([
      statesQuery,
      byField("firmware"),
      byField("model"),
      byField("profile_id"),
      labelsQuery,
    ]);
    return {
      ...(states.rows[0] as Omit<FleetCounts, "firmware" | "models" | "profiles" | "labels">),
      firmware,
      models,
      profiles,
      labels: labels.rows,
    };
  }
}
