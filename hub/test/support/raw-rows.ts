import type Database from "better-sqlite3";

/**
 * A contract suite's `readRaw` hook on meta.db: every value of the rows `sql` selects for a key
 * (one `?` per occurrence of the key), as stored, joined as text.
 */
export function rawRows(db: Database.Database, sql: string): (key: string) => Promise<string> {
  const statement = db.prepare(sql);
  const markers = sql.split("?").length - 1;
  return async (key) =>
    (statement.all(...Array.from({ length: markers }, () => key)) as object[]).flatMap((row) => Object.values(row)).join("\n");
}
