/**
 * Names for the parameterized statements a pool runs, so that each connection parses and plans a
 * statement once instead of at every run (a third of PostgreSQL's CPU on the command path). SQL
 * texts past `limit` run unnamed: one built with a varying number of rows would otherwise keep a
 * prepared statement per variant on every connection.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private issued = 0;

  constructor(private readonly limit = 500) {}

  /** The name to prepare `text` under, or undefined when it runs unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.limit) return known;
    const name = `th_${++this.issued}`;
    this.names.set(text, name);
    return name;
  }

  /**
   * `text`'s prepared plan no longer fits its table (an instance of a newer version added a column
   * to a table it reads with `SELECT *`; PostgreSQL refuses with SQLSTATE 0A000): the name for
   * preparing it again.
   */
  renew(text: string): string | undefined {
    this.names.delete(text);
    return this.nameOf(text);
  }
}

/** PostgreSQL's "cached plan must not change result type". */
export function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "0A000" && /cached plan/.test(String((error as Error).message));
}
