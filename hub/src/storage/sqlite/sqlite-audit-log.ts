import type Database from "better-sqlite3";
import type { AuditEntry, AuditLog, AuditQuery } from "../../audit/audit-log.js";

/** An `audit_log` row, as meta.db and PostgreSQL both hold it. */
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  actor_name: string | null;
  owner: string | null;
  action: string;
  target: string;
  details: string;
}

export function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name,
    owner: row.owner,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** The audit log in the embedded metadata database. */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      "INSERT INTO audit_log (at, actor, actor_name, owner, action, target, details) VALUES (@at, @actor, @actorName, @owner, @action, @target, @details)",
    );
  }

  async record(entry: Parameters<AuditLog["record"]>[0]): Promise<void> {
    this.insert.run({ ...entry, actorName: entry.actorName ?? null, owner: entry.owner ?? null, details: JSON.stringify(entry.details) });
  }

  async list(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const key of ["actor", "action", "target"] as const) {
      const value = query[key];
      if (value !== undefined) {
        where.push(`${key} = ?`);
        params.push(value);
      }
    }
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM audit_log ${filter}`)
      .pluck()
      .get(...params) as number;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${filter} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as AuditRow[];
    return { items: rows.map(toEntry), total };
  }
}
