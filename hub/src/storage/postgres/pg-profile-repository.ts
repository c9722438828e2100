import type { DeviceProfile, ProfileVersionInfo } from "../../profiles/profile.js";
import type { SecretFields } from "../../security/secret-fields.js";
import {
  DuplicateProfileError,
  ProfileInUseError,
  type ProfileRepository,
  ProfileVersionConflictError,
  type ProfileWrite,
} from "../profile-repository.js";
import { type ProfileRow, storedProfile, toProfile, type VersionRow } from "../sqlite/sqlite-profile-repository.js";
import type { PgDatabase, PgQueryable } from "./pg-database.js";
import { isUniqueViolation } from "./pg-violations.js";

const INSERT_VERSION = `INSERT INTO profile_versions (profile_id, version, definition, updated_at, updated_by)
  SELECT id, version, definition, updated_at, updated_by FROM profiles WHERE id = $1`;

/**
 * Device profiles with their history in PostgreSQL; secret values of `defaultConfig` are stored
 * encrypted. An update or a delete locks the profile's row: a version check holds against
 * writers on other instances, and a device cannot be given the profile while it is being deleted.
 */
export class PgProfileRepository implements ProfileRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly secrets: SecretFields,
  ) {}

  async list(page: { limit: number; offset: number }): Promise<{ items: DeviceProfile[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.query<ProfileRow>("SELECT * FROM profiles ORDER BY id LIMIT $1 OFFSET $2", [page.limit, page.offset]),
      this.db.query<{ total: number }>("SELECT COUNT(*) AS total FROM profiles"),
    ]);
    return { items: rows.rows.map((row) => toProfile(row, this.secrets)), total: count.rows[0]?.total ?? 0 };
  }

  async all(): Promise<DeviceProfile[]> {
    return (await this.db.query<ProfileRow>("SELECT * FROM profiles ORDER BY id")).rows.map((row) => toProfile(row, this.secrets));
  }

  async get(id: string): Promise<DeviceProfile | undefined> {
    const row = await this.row(this.db, id);
    return row && toProfile(row, this.secrets);
  }

  async create(write: ProfileWrite & { builtIn: boolean }): Promise<DeviceProfile> {
    const { id } = write.definition;
    try {
      const row = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<ProfileRow>(
          `INSERT INTO profiles (id, version, definition, built_in, created_at, updated_at, updated_by)
           VALUES ($1, 1, $2, $3, $4, $4, $5) RETURNING *`,
          [id, storedProfile(write.definition, this.secrets), write.builtIn ? 1 : 0, write.at, write.by],
        );
        await tx.query(INSERT_VERSION, [id]);
        return rows[0] as ProfileRow;
      });
      return toProfile(row, this.secrets);
    } catch (error) {
      if (isUniqueViolation(error, "profiles_pkey")) throw new DuplicateProfileError(id);
      throw error;
    }
  }

  async update(id: string, write: ProfileWrite & { expectedVersion?: number }): Promise<DeviceProfile | undefined> {
    const row = await this.db.transaction(async (tx) => {
      const current = await this.row(tx, id, "FOR UPDATE");
      if (!current) return undefined;
      if (write.expectedVersion !== undefined && write.expectedVersion !== current.version) {
        throw new ProfileVersionConflictError(id, write.expectedVersion, current.version);
      }
      const { rows } = await tx.query<ProfileRow>(
        "UPDATE profiles SET version = version + 1, definition = $2, updated_at = $3, updated_by = $4 WHERE id = $1 RETURNING *",
        [id, storedProfile(write.definition, this.secrets), write.at, write.by],
      );
      await tx.query(INSERT_VERSION, [id]);
      return rows[0];
    });
    return row && toProfile(row, this.secrets);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The lock waits for a device being given the profile (its reference check shares the row), then counts it.
      if (!(await this.row(tx, id, "FOR UPDATE"))) return false;
      const { rows } = await tx.query<{ count: number }>("SELECT COUNT(*) AS count FROM devices WHERE profile_id = $1", [id]);
      const devices = rows[0]?.count ?? 0;
      if (devices > 0) throw new ProfileInUseError(id, devices);
      return (await tx.query("DELETE FROM profiles WHERE id = $1", [id])).rowCount > 0;
    });
  }

  async versions(id: string): Promise<ProfileVersionInfo[] | undefined> {
    if (!(await this.row(this.db, id))) return undefined;
    const { rows } = await this.db.query<VersionRow>(
      "SELECT version, updated_at, updated_by FROM profile_versions WHERE profile_id = $1 ORDER BY version DESC",
      [id],
    );
    return rows.map((row) => ({ version: row.version, updatedAt: row.updated_at, updatedBy: row.updated_by }));
  }

  async version(id: string, version: number): Promise<DeviceProfile | undefined> {
    const [current, stored] = await Promise.all([
      this.row(this.db, id),
      this.db.query<VersionRow>("SELECT * FROM profile_versions WHERE profile_id = $1 AND version = $2", [id, version]),
    ]);
    const row = stored.rows[0];
    if (!current || !row) return undefined;
    return toProfile(
      { ...current, version: row.version, definition: row.definition, updated_at: row.updated_at, updated_by: row.updated_by },
      this.secrets,
    );
  }

  private async row(on: PgQueryable, id: string, lock: "" | "FOR UPDATE" = ""): Promise<ProfileRow | undefined> {
    return (await on.query<ProfileRow>(`SELECT * FROM profiles WHERE id = $1 ${lock}`, [id])).rows[0];
  }
}
