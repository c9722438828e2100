import type { AuditEntry, AuditLog, AuditQuery } from "../../audit/audit-log.js";
import { type AuditRow, toEntry } from "../sqlite/sqlite-audit-log.js";
import type { PgDatabase } from "./pg-database.js";
import { PgFilteredPages } from "./pg-filtered-pages.js";

/** The audit log in PostgreSQL; entries are numbered by an identity column, the newest highest. */
export class PgAuditLog implements AuditLog {
  private readonly pages: PgFilteredPages<AuditRow>;

  constructor(private readonly db: PgDatabase) {
    this.pages = new PgFilteredPages(db, "audit_log", "id DESC");
  }

  async record(entry: Parameters<AuditLog["record"]>[0]): Promise<void> {
    await this.db.query(
      "INSERT INTO audit_log (at, actor, actor_name, owner, action, target, details) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [entry.at, entry.actor, entry.actorName ?? null, entry.owner ?? null, entry.action, entry.target, JSON.stringify(entry.details)],
    );
  }

  async list(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    const { rows, total } = await this.pages.page(
      [
        ["actor = ?", query.actor],
        ["action = ?", query.action],
        ["target = ?", query.target],
      ],
      query.limit,
      query.offset,
    );
    return { items: rows.map(toEntry), total };
  }
}
