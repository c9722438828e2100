import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/** Each secret as it could sit in a file: plain, base64, base64url, hex. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
}

/** Every text value of every table of meta.db (the audit log included), and the raw bytes of meta.db and its WAL. */
export function metaDbContents(dataDir: string): string {
  const db = new Database(join(dataDir, "meta.db"), { readonly: true });
  const texts: string[] = [];
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const value of Object.values(row)) if (typeof value === "string") texts.push(value);
      }
    }
  } finally {
    db.close();
  }
  const files = readdirSync(dataDir).filter((name) => name.startsWith("meta.db"));
  return texts.join("\n") + files.map((name) => readFileSync(join(dataDir, name)).toString("latin1")).join("\n");
}
