import type { MetricValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
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

/** A `devices` row, as meta.db and PostgreSQL both hold it. */
export interface DeviceRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
  firmware: string | null;
  model: string | null;
  attributes: string;
  labels: string;
  clock_skew_ms: number | null;
  revoked_at: number | null;
  profile_id: string | null;
  reported_commands: string;
}

/** Ids and names sort naturally (`sim-2` before `sim-10`) by their stored keys. */
const SORT_COLUMNS: Record<DeviceSortField, string> = {
  id: "id_sort_key",
  name: "name_sort_key",
  createdAt: "created_at",
  lastSeenAt: "last_seen_at",
  firmware: "firmware",
  model: "model",
};

function isForeignKeyError(error: unknown): boolean {
  return (error as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

export function toRecord(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
    firmware: row.firmware,
    model: row.model,
    attributes: JSON.parse(row.attributes) as DeviceRecord["attributes"],
    labels: JSON.parse(row.labels) as DeviceRecord["labels"],
    clockSkewMs: row.clock_skew_ms,
    revokedAt: row.revoked_at,
    profileId: row.profile_id,
    reportedCommands: JSON.parse(row.reported_commands) as string[],
  };
}

/** The device registry in the embedded metadata database. */
export class SqliteDeviceRepository implements DeviceRepository {
  private readonly statements;
  /** The row `tokenHashes` reads for an unknown id: the newest device's when the repository was opened or last created one. */
  private decoyRowid: number | bigint = 0;
  private pendingHellos: { id: string; hello: DeviceHello; resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        "INSERT INTO devices (id, name, token_hash, created_at, updated_at, labels, profile_id, id_sort_key, name_sort_key) " +
          "VALUES (@id, @name, @tokenHash, @at, @at, @labels, @profileId, @idSortKey, @nameSortKey)",
      ),
      assignProfile: db.prepare("UPDATE devices SET profile_id = ?, updated_at = ? WHERE id = ? AND profile_id IS NULL"),
      get: db.prepare("SELECT * FROM devices WHERE id = ?"),
      setToken: db.prepare(
        "UPDATE devices SET token_hash = ?, previous_token_hash = NULL, previous_token_valid_until = NULL, revoked_at = NULL, updated_at = ? WHERE id = ?",
      ),
      setTokenKeepingPrevious: db.prepare(
        "UPDATE devices SET previous_token_hash = token_hash, previous_token_valid_until = ?, token_hash = ?, revoked_at = NULL, updated_at = ? WHERE id = ?",
      ),
      previousToken: db.prepare("SELECT previous_token_hash, previous_token_valid_until FROM devices WHERE id = ?"),
      // An unknown id reads a stand-in row (`@decoy`, any device's rowid) instead: the same index search and
      // table read either way, so the time does not tell whether the device exists.
      tokenHashes: db.prepare(
        `SELECT id = @id AS found, token_hash, previous_token_hash IS NOT NULL AS has_previous,
           COALESCE(previous_token_hash, token_hash) AS previous_token_hash, COALESCE(previous_token_valid_until, 0) AS previous_token_valid_until
         FROM devices WHERE rowid = COALESCE((SELECT rowid FROM devices WHERE id = @id), @decoy)`,
      ),
      lastRowid: db.prepare("SELECT MAX(rowid) FROM devices").pluck(),
      revoke: db.prepare(
        "UPDATE devices SET revoked_at = ?, previous_token_hash = NULL, previous_token_valid_until = NULL, updated_at = ? WHERE id = ? AND revoked_at IS NULL",
      ),
      delete: db.prepare("DELETE FROM devices WHERE id = ?"),
      hello: db.prepare(
        "UPDATE devices SET firmware = @firmware, model = @model, attributes = COALESCE(@attributes, attributes), clock_skew_ms = @clockSkewMs, reported_commands = @commands, last_seen_at = @at WHERE id = @id",
      ),
      mergeAttributes: db.prepare(
        "UPDATE devices SET attributes = json_patch(attributes, ?), last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?",
      ),
      touch: db.prepare("UPDATE devices SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?"),
    };
    this.decoyRowid = (this.statements.lastRowid.get() as number | null) ?? 0;
    this.fillSortKeys();
  }

  /** Devices made before meta migration 7 (or by an older hub since) get their natural sort keys. */
  private fillSortKeys(): void {
    const missing = this.db.prepare("SELECT id, name FROM devices WHERE id_sort_key IS NULL OR name_sort_key IS NULL").all() as {
      id: string;
      name: string;
    }[];
    if (missing.length === 0) return;
    const set = this.db.prepare("UPDATE devices SET id_sort_key = ?, name_sort_key = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const { id, name } of missing) set.run(naturalSortKey(id), naturalSortKey(name), id);
    })();
  }

  async create(device: NewDevice): Promise<DeviceRecord> {
    try {
      this.decoyRowid = this.statements.insert.run({
        ...device,
        labels: JSON.stringify(device.labels),
        profileId: device.profileId ?? null,
        idSortKey: naturalSortKey(device.id),
        nameSortKey: naturalSortKey(device.name),
      }).lastInsertRowid;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new DuplicateDeviceError(device.id);
      if (isForeignKeyError(error)) throw new UnknownProfileError(device.profileId ?? "");
      throw error;
    }
    return (await this.get(device.id)) as DeviceRecord;
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const row = this.statements.get.get(id) as DeviceRow | undefined;
    return row && toRecord(row);
  }

  async list(query: DeviceListQuery): Promise<{ items: DeviceRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.search) {
      where.push("(instr(lower(id), lower(?)) > 0 OR instr(lower(name), lower(?)) > 0)");
      params.push(query.search, query.search);
    }
    if (query.ids) {
      where.push(`id IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(query.ids));
    }
    if (query.excludeIds) {
      where.push(`id NOT IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(query.excludeIds));
    }
    if (query.revoked !== undefined) where.push(query.revoked ? "revoked_at IS NOT NULL" : "revoked_at IS NULL");
    if (query.model !== undefined) {
      where.push("model = ?");
      params.push(query.model);
    }
    if (query.firmware !== undefined) {
      where.push("firmware = ?");
      params.push(query.firmware);
    }
    if (query.profileId !== undefined) {
      where.push("profile_id = ?");
      params.push(query.profileId);
    }
    for (const [key, value] of Object.entries(query.labels ?? {})) {
      where.push("json_extract(labels, ?) IS ?");
      params.push(`$."${key}"`, value);
    }
    if (query.seen !== undefined) where.push(query.seen ? "last_seen_at IS NOT NULL" : "last_seen_at IS NULL");
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM devices ${filter}`)
      .pluck()
      .get(...params) as number;
    const order = `${SORT_COLUMNS[query.sort]} ${query.order === "desc" ? "DESC" : "ASC"}, id ASC`;
    const rows = this.db
      .prepare(`SELECT * FROM devices ${filter} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as DeviceRow[];
    return { items: rows.map(toRecord), total };
  }

  async update(
    id: string,
    patch: { name?: string; labels?: Record<string, string>; profileId?: string | null },
    at: number,
  ): Promise<DeviceRecord | undefined> {
    const sets: string[] = ["updated_at = ?"];
    const params: unknown[] = [at];
    if (patch.name !== undefined) {
      sets.push("name = ?", "name_sort_key = ?");
      params.push(patch.name, naturalSortKey(patch.name));
    }
    if (patch.labels !== undefined) {
      sets.push("labels = ?");
      params.push(JSON.stringify(patch.labels));
    }
    if (patch.profileId !== undefined) {
      sets.push("profile_id = ?");
      params.push(patch.profileId);
    }
    let changes: number;
    try {
      changes = this.db.prepare(`UPDATE devices SET ${sets.join(", ")} WHERE id = ?`).run(...params, id).changes;
    } catch (error) {
      if (isForeignKeyError(error)) throw new UnknownProfileError(patch.profileId ?? "");
      throw error;
    }
    return changes > 0 ? this.get(id) : undefined;
  }

  async assignProfileIfNone(id: string, profileId: string, at: number): Promise<boolean> {
    try {
      return this.statements.assignProfile.run(profileId, at, id).changes > 0;
    } catch (error) {
      if (isForeignKeyError(error)) throw new UnknownProfileError(profileId);
      throw error;
    }
  }

  async setTokenHash(id: string, tokenHash: string, at: number, previousValidUntil?: number): Promise<boolean> {
    if (previousValidUntil !== undefined)
      return this.statements.setTokenKeepingPrevious.run(previousValidUntil, tokenHash, at, id).changes > 0;
    return this.statements.setToken.run(tokenHash, at, id).changes > 0;
  }

  async previousToken(id: string): Promise<PreviousToken | undefined> {
    const row = this.statements.previousToken.get(id) as
      | { previous_token_hash: string | null; previous_token_valid_until: number | null }
      | undefined;
    if (!row?.previous_token_hash || row.previous_token_valid_until === null) return undefined;
    return { tokenHash: row.previous_token_hash, validUntil: row.previous_token_valid_until };
  }

  async tokenHashes(id: string): Promise<DeviceTokenHashes | undefined> {
    const row = this.statements.tokenHashes.get({ id, decoy: this.decoyRowid }) as
      | { found: number; token_hash: string; has_previous: number; previous_token_hash: string; previous_token_valid_until: number }
      | undefined;
    if (!row) return undefined;
    // Built for the stand-in row too, and then dropped: the same work either way.
    const hashes: DeviceTokenHashes = {
      tokenHash: row.token_hash,
      previous: row.has_previous === 1 ? { tokenHash: row.previous_token_hash, validUntil: row.previous_token_valid_until } : undefined,
    };
    return row.found === 1 ? hashes : undefined;
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.statements.revoke.run(at, at, id).changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete.run(id).changes > 0;
  }

  /**
   * Hellos are group-committed: those that arrive in one turn of the event loop share one
   * transaction (one sync to disk), so a storm of reconnecting devices does not stall the
   * event loop for a sync per device.
   */
  recordHello(id: string, hello: DeviceHello): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingHellos.push({ id, hello, resolve, reject });
      if (this.pendingHellos.length === 1) setImmediate(() => this.commitHellos());
    });
  }

  private commitHellos(): void {
    const group = this.pendingHellos;
    this.pendingHellos = [];
    try {
      this.db.transaction(() => {
        for (const { id, hello } of group)
          this.statements.hello.run({
            ...hello,
            id,
            attributes: hello.attributes === null ? null : JSON.stringify(hello.attributes),
            commands: JSON.stringify(hello.commands ?? []),
          });
      })();
    } catch (error) {
      for (const pending of group) pending.reject(error as Error);
      return;
    }
    for (const pending of group) pending.resolve();
  }

  async mergeAttributes(id: string, attributes: Record<string, MetricValue>, at: number): Promise<void> {
    this.statements.mergeAttributes.run(JSON.stringify(attributes), at, id);
  }

  /**
   * Committed without a sync of its own (`synchronous = NORMAL` for this one transaction): the
   * times reach the disk with the next synced commit or checkpoint, so a power cut can cost the
   * last few seconds of them and nothing else. The gateway writes them for every connected
   * device every few seconds, and an fsync per write stalled its event loop each time.
   */
  async touchLastSeen(entries: readonly { id: string; at: number }[]): Promise<void> {
    const synchronous = this.db.pragma("synchronous", { simple: true }) as number;
    this.db.pragma("synchronous = NORMAL");
    try {
      this.db.transaction(() => {
        for (const entry of entries) this.statements.touch.run(entry.at, entry.id);
      })();
    } finally {
      this.db.pragma(`synchronous = ${synchronous}`);
    }
  }

  async fleetCounts(connectedIds: readonly string[]): Promise<FleetCounts> {
    const connected = JSON.stringify(connectedIds);
    const states = this.db
      .prepare(
        `SELECT COUNT(*) AS total, COUNT(revoked_at) AS revoked,
                COALESCE(SUM(revoked_at IS NULL AND online), 0) AS online,
                COALESCE(SUM(revoked_at IS NULL AND NOT online AND last_seen_at IS NOT NULL), 0) AS offline,
                COALESCE(SUM(revoked_at IS NULL AND NOT online AND last_seen_at IS NULL), 0) AS never
           FROM (SELECT revoked_at, last_seen_at, id IN (SELECT value FROM json_each(?)) AS online FROM devices)`,
      )
      .get(connected) as Omit<FleetCounts, "firmware" | "models" | "profiles" | "labels">;
    const byField = (column: string) =>
      this.db
        .prepare(`SELECT ${column} AS value, COUNT(*) AS count FROM devices GROUP BY ${column} ORDER BY count DESC, value`)
        .all() as FieldCount[];
    const labels = this.db
      .prepare(
        `SELECT l.key, l.value, COUNT(*) AS count FROM devices d, json_each(d.labels) l
          GROUP BY l.key, l.value ORDER BY l.key, count DESC, l.value`,
      )
      .all() as FleetCounts["labels"];
    return { ...states, firmware: byField("firmware"), models: byField("model"), profiles: byField("profile_id"), labels };
  }
}
