import type { CommandListQuery, CommandRecord, CommandState, NewCommand } from "../../commands/command-record.js";
import type { CommandStore, CommandTransition } from "../../commands/command-store.js";
import type { SecretFields } from "../../security/secret-fields.js";
import { type CommandRow, toRecord as commandFromRow } from "../sqlite/sqlite-command-store.js";
import type { PgDatabase } from "./pg-database.js";
import { timeBound, whereClause } from "./pg-filtered-pages.js";

/**
 * Commands in PostgreSQL; secret values of `args` and `result` are stored encrypted. A
 * `transition` is one conditional UPDATE, so of two instances moving one command from the same
 * state at once, one moves it and the other finds it moved.
 */
export class PgCommandStore implements CommandStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly secrets: SecretFields,
  ) {}

  async create(command: NewCommand): Promise<CommandRecord> {
    return (await this.insert(command, undefined)) as CommandRecord;
  }

  createUnlessFull(command: NewCommand, maxPending: number): Promise<CommandRecord | undefined> {
    return this.insert(command, maxPending);
  }

  private async insert(command: NewCommand, maxPending: number | undefined): Promise<CommandRecord | undefined> {
    const values: unknown[] = [
      command.id,
      command.deviceId,
      command.name,
      JSON.stringify(this.secrets.seal(command.args)),
      command.createdAt,
      command.expiresAt,
      command.timeoutMs,
      command.idempotencyKey,
      command.createdBy,
      JSON.stringify([{ state: "queued", at: command.createdAt }]),
    ];
    const unlessFull =
      maxPending === undefined
        ? ""
        : ` WHERE (SELECT COUNT(*) FROM commands WHERE device_id = $2 AND state IN ('queued', 'sent')) < $${values.push(maxPending)}`;
    const { rows } = await this.db.query<CommandRow>(
      `INSERT INTO commands (id, device_id, name, args, state, created_at, updated_at, expires_at, timeout_ms, deadline, idempotency_key, created_by, transitions)
       SELECT $1, $2, $3, $4, 'queued', $5::bigint, $5::bigint, $6::bigint, $7::bigint, $6::bigint, $8, $9, $10${unlessFull} RETURNING *`,
      values,
    );
    return rows[0] && this.record(rows[0]);
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    return this.first("SELECT * FROM commands WHERE id = $1", [id]);
  }

  async findByIdempotencyKey(deviceId: string, key: string): Promise<CommandRecord | undefined> {
    return this.first("SELECT * FROM commands WHERE device_id = $1 AND idempotency_key = $2", [deviceId, key]);
  }

  async list(query: CommandListQuery): Promise<{ items: CommandRecord[]; total: number }> {
    const { where, values } = whereClause([
      ["device_id = ?", query.deviceId],
      // A request may repeat a state as often as its URL allows: one array parameter whatever the count.
      ["state = ANY(?)", query.states && query.states.length > 0 ? [...new Set(query.states)] : undefined],
      ["created_at >= ?", timeBound(query.from)],
      ["created_at < ?", timeBound(query.to)],
    ]);
    const direction = query.order === "asc" ? "ASC" : "DESC";
    const n = values.length;
    const [page, count] = await Promise.all([
      this.db.query<CommandRow>(
        `SELECT * FROM commands ${where} ORDER BY created_at ${direction}, seq ${direction} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...values, query.limit, query.offset],
      ),
      this.db.query<{ total: number }>(`SELECT COUNT(*) AS total FROM commands ${where}`, values),
    ]);
    return { items: page.rows.map((row) => this.record(row)), total: count.rows[0]?.total ?? 0 };
  }

  async pendingFor(deviceId: string): Promise<CommandRecord[]> {
    return this.all("SELECT * FROM commands WHERE device_id = $1 AND state IN ('queued', 'sent') ORDER BY created_at, seq", [deviceId]);
  }

  async transition(id: string, from: readonly CommandState[], to: CommandTransition): Promise<CommandRecord | undefined> {
    // One statement, one round trip: the UPDATE locks the row and, under READ COMMITTED, checks the
    // state again on the newest version after waiting for another writer's lock, so of two
    // instances moving it from the same state, one moves it and the other matches no row.
    const values: unknown[] = [id, [...from], to.state, to.at, JSON.stringify({ state: to.state, at: to.at })];
    const sets = [
      "state = $3",
      "updated_at = $4",
      // The step appended to the JSON array as text (its elements written as JSON.stringify writes them).
      "transitions = CASE WHEN state = $3 THEN transitions WHEN transitions = '[]' THEN '[' || $5 || ']' ELSE left(transitions, -1) || ',' || $5 || ']' END",
    ];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (to.deadline === "result-timeout") sets.push(`deadline = $${values.push(to.at)} + timeout_ms`);
    else if (to.deadline !== undefined) set("deadline", to.deadline);
    if (to.result !== undefined) set("result", JSON.stringify(to.result === null ? null : this.secrets.seal(to.result)));
    if (to.error !== undefined) set("error", JSON.stringify(to.error));
    if (to.attempt) sets.push("attempts = attempts + 1");
    if (to.eraseSecretArgs) set("args", JSON.stringify(this.secrets.erase(to.eraseSecretArgs)));
    const guard = to.deviceId === undefined ? "" : ` AND device_id = $${values.push(to.deviceId)}`;
    const row = (
      await this.db.query<CommandRow>(
        `UPDATE commands SET ${sets.join(", ")} WHERE id = $1 AND state = ANY($2::text[])${guard} RETURNING *`,
        values,
      )
    ).rows[0];
    return row && this.record(row);
  }

  async due(now: number, limit: number): Promise<CommandRecord[]> {
    return this.all("SELECT * FROM commands WHERE deadline IS NOT NULL AND deadline <= $1 ORDER BY deadline, seq LIMIT $2", [now, limit]);
  }

  private async first(sql: string, values: unknown[]): Promise<CommandRecord | undefined> {
    const row = (await this.db.query<CommandRow>(sql, values)).rows[0];
    return row && this.record(row);
  }

  private async all(sql: string, values: unknown[]): Promise<CommandRecord[]> {
    return (await this.db.query<CommandRow>(sql, values)).rows.map((row) => this.record(row));
  }

  private record(row: CommandRow): CommandRecord {
    return commandFromRow(row, this.secrets);
  }
}
