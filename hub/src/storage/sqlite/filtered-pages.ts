import type Database from "better-sqlite3";

/** A filter of a list query: an SQL condition with one `?`, and its value (undefined: not filtered). */
export type ListFilter = readonly [condition: string, value: unknown];

/**
 * Pages of one table's rows under optional filters, in one fixed order, with the total. The
 * statements are prepared once per combination of filters in use (a handful), not per request.
 */
export class FilteredPages<Row> {
  private readonly prepared = new Map<string, { count: Database.Statement; page: Database.Statement }>();

  /** `table` and `order` are SQL written by the repository, never by a client. */
  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
    private readonly order: string,
  ) {}

  page(filters: readonly ListFilter[], limit: number, offset: number): { rows: Row[]; total: number } {
    const used = filters.filter(([, value]) => value !== undefined);
    const where = used.length > 0 ? `WHERE ${used.map(([condition]) => condition).join(" AND ")}` : "";
    const params = used.map(([, value]) => value);
    const statements = this.statements(where);
    return { rows: statements.page.all(...params, limit, offset) as Row[], total: statements.count.get(...params) as number };
  }

  private statements(where: string): { count: Database.Statement; page: Database.Statement } {
    let statements = this.prepared.get(where);
    if (!statements) {
      statements = {
        count: this.db.prepare(`SELECT COUNT(*) FROM ${this.table} ${where}`).pluck(),
        page: this.db.prepare(`SELECT * FROM ${this.table} ${where} ORDER BY ${this.order} LIMIT ? OFFSET ?`),
      };
      this.prepared.set(where, statements);
    }
    return statements;
  }
}
