import type { PgQueryable } from "./pg-database.js";

/**
 * A filter of a list query: an SQL condition with one `?` standing for its value, and the value
 * (undefined: not filtered). The `?` becomes the next `$n`.
 */
export type PgListFilter = readonly [condition: string, value: unknown];

/**
 * The filters in use and the `fixed` conditions (SQL without values) as one `WHERE` (empty when
 * there are none), with the filters' values numbered from `$1`.
 */
export function whereClause(filters: readonly PgListFilter[], fixed: readonly string[] = []): { where: string; values: unknown[] } {
  const used = filters.filter(([, value]) => value !== undefined);
  const values = used.map(([, value]) => value);
  const conditions = [...fixed, ...used.map(([condition], index) => condition.replace("?", `$${index + 1}`))];
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "", values };
}

/** Pages of one table's rows under optional filters, in one fixed order, with the total (PostgreSQL's `FilteredPages`). */
export class PgFilteredPages<Row extends object> {
  /** `table` and `order` are SQL written by the repository, never by a client. */
  constructor(
    private readonly db: PgQueryable,
    private readonly table: string,
    private readonly order: string,
  ) {}

  async page(filters: readonly PgListFilter[], limit: number, offset: number): Promise<{ rows: Row[]; total: number }> {
    const { where, values } = whereClause(filters);
    const n = values.length;
    const [page, count] = await Promise.all([
      this.db.query<Row>(`SELECT * FROM ${this.table} ${where} ORDER BY ${this.order} LIMIT $${n + 1} OFFSET $${n + 2}`, [
        ...values,
        limit,
        offset,
      ]),
      this.db.query<{ total: number }>(`SELECT COUNT(*)::integer AS total FROM ${this.table} ${where}`, values),
    ]);
    return { rows: page.rows, total: count.rows[0]?.total ?? 0 };
  }
}

/**
 * A time bound of a list query (`from`, `to`) as a BIGINT column can be compared with: within
 * ±2^53. Every stored time is such an integer, so a bound beyond selects what the bound at
 * ±2^53 selects (unclamped, PostgreSQL refuses a number beyond 2^63 where SQLite compares it).
 */
export function timeBound(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.min(Math.max(ms, Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}
