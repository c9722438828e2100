import type Database from "better-sqlite3";
import type { AuditEntry, AuditLog, AuditQuery } from "../../audit/audit-log.js";

/** The audit log in the embedded metadata database. */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare("INSERT INTO audit_log (at, actor, action, target, details) VALUES (@at, @actor, @action, @target, @details)");
  }

  async record(entry: Omit<AuditEntry, "id">): Promise<void> {
    this.insert.run({ ...entry, details: JSON.stringify(entry.details) });
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
      .all(...params, query.limit, query.offset) as (Omit<AuditEntry, "details"> & { details: string })[];
    return { items: rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> })), total };
  }
}
