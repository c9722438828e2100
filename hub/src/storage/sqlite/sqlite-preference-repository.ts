import type Database from "better-sqlite3";
import type { PreferenceOwner, PreferenceRepository } from "../preference-repository.js";

/** Preferences in the embedded metadata database (`preferences`, meta migration 7). */
export class SqlitePreferenceRepository implements PreferenceRepository {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      get: db.prepare("SELECT document FROM preferences WHERE owner = ?").pluck(),
      put: db.prepare(
        "INSERT INTO preferences (owner, document, updated_at) VALUES (?, ?, ?) ON CONFLICT (owner) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
      ),
    };
  }

  async get(owner: PreferenceOwner): Promise<Record<string, unknown>> {
    const document = this.statements.get.get(owner) as string | undefined;
    return document === undefined ? {} : (JSON.parse(document) as Record<string, unknown>);
  }

  async put(owner: PreferenceOwner, preferences: Record<string, unknown>, at: number): Promise<void> {
    this.statements.put.run(owner, JSON.stringify(preferences), at);
  }
}
