import type Database from "better-sqlite3";
import type { CommandListQuery, CommandRecord, CommandState, NewCommand } from "../../commands/command-record.js";
import type { CommandStore, CommandTransition } from "../../commands/command-store.js";
import type { SecretFields } from "../../security/secret-fields.js";

/** A row of `commands` (meta.db and PostgreSQL alike). */
export interface CommandRow {
  id: string;
  device_id: string;
  name: string;
  args: string;
  state: CommandState;
  created_at: number;
  updated_at: number;
  expires_at: number;
  timeout_ms: number;
  attempts: number;
  result: string | null;
  error: string | null;
  idempotency_key: string | null;
  created_by: string | null;
  transitions: string;
}

/** The command a row holds, its secret values opened. */
export function toRecord(row: CommandRow, secrets: SecretFields): CommandRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    name: row.name,
    args: secrets.open(JSON.parse(row.args) as CommandRecord["args"]),
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    timeoutMs: row.timeout_ms,
    attempts: row.attempts,
    result: row.result === null ? null : secrets.open(JSON.parse(row.result) as NonNullable<CommandRecord["result"]>),
    error: row.error === null ? null : (JSON.parse(row.error) as CommandRecord["error"]),
    idempotencyKey: row.idempotency_key,
    createdBy: row.created_by,
    transitions: JSON.parse(row.transitions) as CommandRecord["transitions"],
  };
}

/** Commands in the embedded metadata database; secret values of `args` and `result` are stored encrypted. */
export class SqliteCommandStore implements CommandStore {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretFields,
  ) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO commands (id, device_id, name, args, state, created_at, updated_at, expires_at, timeout_ms, deadline, idempotency_key, created_by, transitions)
         VALUES (@id, @deviceId, @name, @args, 'queued', @createdAt, @createdAt, @expiresAt, @timeoutMs, @expiresAt, @idempotencyKey, @createdBy, @transitions)`,
      ),
      get: db.prepare("SELECT * FROM commands WHERE id = ?"),
      byKey: db.prepare("SELECT * FROM commands WHERE device_id = ? AND idempotency_key = ?"),
      pending: db.prepare("SELECT * FROM commands WHERE device_id = ? AND state IN ('queued', 'sent') ORDER BY created_at, rowid"),
      countPending: db.prepare("SELECT COUNT(*) FROM commands WHERE device_id = ? AND state IN ('queued', 'sent')").pluck(),
      due: db.prepare("SELECT * FROM commands WHERE deadline IS NOT NULL AND deadline <= ? ORDER BY deadline LIMIT ?"),
    };
  }

  async create(command: NewCommand): Promise<CommandRecord> {
    this.statements.insert.run({
      ...command,
      args: JSON.stringify(this.secrets.seal(command.args)),
      transitions: JSON.stringify([{ state: "queued", at: command.createdAt }]),
    });
    return (await this.get(command.id)) as CommandRecord;
  }

  async createUnlessFull(command: NewCommand, maxPending: number): Promise<CommandRecord | undefined> {
    if ((this.statements.countPending.get(command.deviceId) as number) >= maxPending) return undefined;
    return this.create(command);
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const row = this.statements.get.get(id) as CommandRow | undefined;
    return row && toRecord(row, this.secrets);
  }

  async findByIdempotencyKey(deviceId: string, key: string): Promise<CommandRecord | undefined> {
    const row = this.statements.byKey.get(deviceId, key) as CommandRow | undefined;
    return row && toRecord(row, this.secrets);
  }

  async list(query: CommandListQuery): Promise<{ items: CommandRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.deviceId !== undefined) {
      where.push("device_id = ?");
      params.push(query.deviceId);
    }
    if (query.states && query.states.length > 0) {
      // A request may repeat a state as often as its URL allows: one parameter per distinct state.
      const states = [...new Set(query.states)];
      where.push(`state IN (${states.map(() => "?").join(", ")})`);
      for (const state of states) params.push(state);
    }
    if (query.from !== undefined) {
      where.push("created_at >= ?");
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push("created_at < ?");
      params.push(query.to);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM commands ${filter}`)
      .pluck()
      .get(...params) as number;
    const direction = query.order === "asc" ? "ASC" : "DESC";
    const rows = this.db
      .prepare(`SELECT * FROM commands ${filter} ORDER BY created_at ${direction}, rowid ${direction} LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as CommandRow[];
    return { items: rows.map((row) => toRecord(row, this.secrets)), total };
  }

  async pendingFor(deviceId: string): Promise<CommandRecord[]> {
    return (this.statements.pending.all(deviceId) as CommandRow[]).map((row) => toRecord(row, this.secrets));
  }

  async transition(id: string, from: readonly CommandState[], to: CommandTransition): Promise<CommandRecord | undefined> {
    return this.db.transaction(() => {
      const row = this.statements.get.get(id) as CommandRow | undefined;
      if (!row || !from.includes(row.state) || (to.deviceId !== undefined && row.device_id !== to.deviceId)) return undefined;
      const transitions = JSON.parse(row.transitions) as CommandRecord["transitions"];
      if (row.state !== to.state) transitions.push({ state: to.state, at: to.at });
      const sets = ["state = @state", "updated_at = @at", "transitions = @transitions"];
      const params: Record<string, unknown> = { id, state: to.state, at: to.at, transitions: JSON.stringify(transitions) };
      if (to.deadline !== undefined) {
        sets.push("deadline = @deadline");
        params.deadline = to.deadline === "result-timeout" ? to.at + row.timeout_ms : to.deadline;
      }
      if (to.result !== undefined) {
        sets.push("result = @result");
        params.result = JSON.stringify(to.result === null ? null : this.secrets.seal(to.result));
      }
      if (to.error !== undefined) {
        sets.push("error = @error");
        params.error = JSON.stringify(to.error);
      }
      if (to.attempt) sets.push("attempts = attempts + 1");
      if (to.eraseSecretArgs) {
        sets.push("args = @args");
        params.args = JSON.stringify(this.secrets.erase(to.eraseSecretArgs));
      }
      this.db.prepare(`UPDATE commands SET ${sets.join(", ")} WHERE id = @id`).run(params);
      return toRecord(this.statements.get.get(id) as CommandRow, this.secrets);
    })();
  }

  async due(now: number, limit: number): Promise<CommandRecord[]> {
    return (this.statements.due.all(now, limit) as CommandRow[]).map((row) => toRecord(row, this.secrets));
  }
}
