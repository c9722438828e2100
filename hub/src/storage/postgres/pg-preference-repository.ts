import type { PreferenceOwner, PreferenceRepository } from "../preference-repository.js";
import type { PgDatabase } from "./pg-database.js";

/** Preferences in PostgreSQL (`preferences`): one document per owner, replaced whole; the last write wins. */
export class PgPreferenceRepository implements PreferenceRepository {
  constructor(private readonly db: PgDatabase) {}

  async get(owner: PreferenceOwner): Promise<Record<string, unknown>> {
    const { rows } = await this.db.query<{ document: string }>("SELECT document FROM preferences WHERE owner = $1", [owner]);
    const row = rows[0];
    return row === undefined ? {} : (JSON.parse(row.document) as Record<string, unknown>);
  }

  async put(owner: PreferenceOwner, preferences: Record<string, unknown>, at: number): Promise<void> {
    await this.db.query(
      `INSERT INTO preferences (owner, document, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (owner) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
      [owner, JSON.stringify(preferences), at],
    );
  }
}
