import type { DataValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
import type { DeviceProfile, ProfileDefinition, ProfileVersionInfo } from "../../profiles/profile.js";
import type { SecretFields } from "../../security/secret-fields.js";
import {
  DuplicateProfileError,
  ProfileInUseError,
  type ProfileRepository,
  ProfileVersionConflictError,
  type ProfileWrite,
} from "../profile-repository.js";

/** A row of `profiles` (meta.db and PostgreSQL alike). */
export interface ProfileRow {
  id: string;
  version: number;
  definition: string;
  built_in: number;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

/** A row of `profile_versions`, as the repository reads it. */
export interface VersionRow {
  version: number;
  definition: string;
  updated_at: number;
  updated_by: string | null;
}

type StoredDefinition = Omit<ProfileDefinition, "id">;

/** The definition as stored: without its id (a column), secret values of `defaultConfig` sealed. */
export function storedProfile(definition: ProfileDefinition, secrets: SecretFields): string {
  const { id: _id, ...rest } = definition;
  const stored: StoredDefinition =
    rest.defaultConfig === undefined ? rest : { ...rest, defaultConfig: secrets.seal(rest.defaultConfig as { [key: string]: DataValue }) };
  return JSON.stringify(stored);
}

/** The profile a row holds, secret values of `defaultConfig` opened. */
export function toProfile(row: ProfileRow, secrets: SecretFields): DeviceProfile {
  const stored = JSON.parse(row.definition) as StoredDefinition;
  const definition: StoredDefinition =
    stored.defaultConfig === undefined
      ? stored
      : { ...stored, defaultConfig: secrets.open(stored.defaultConfig as { [key: string]: DataValue }) };
  return {
    id: row.id,
    ...definition,
    version: row.version,
    builtIn: row.built_in === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** Device profiles in the embedded metadata database; secret values of `defaultConfig` are stored encrypted. */
export class SqliteProfileRepository implements ProfileRepository {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretFields,
  ) {
    this.statements = {
      get: db.prepare("SELECT * FROM profiles WHERE id = ?"),
      page: db.prepare("SELECT * FROM profiles ORDER BY id LIMIT ? OFFSET ?"),
      all: db.prepare("SELECT * FROM profiles ORDER BY id"),
      count: db.prepare("SELECT COUNT(*) FROM profiles").pluck(),
      insert: db.prepare(
        `INSERT INTO profiles (id, version, definition, built_in, created_at, updated_at, updated_by)
         VALUES (@id, 1, @definition, @builtIn, @at, @at, @by)`,
      ),
      update: db.prepare(
        "UPDATE profiles SET version = version + 1, definition = @definition, updated_at = @at, updated_by = @by WHERE id = @id",
      ),
      insertVersion: db.prepare(
        `INSERT INTO profile_versions (profile_id, version, definition, updated_at, updated_by)
         SELECT id, version, definition, updated_at, updated_by FROM profiles WHERE id = ?`,
      ),
      versions: db.prepare("SELECT version, updated_at, updated_by FROM profile_versions WHERE profile_id = ? ORDER BY version DESC"),
      version: db.prepare("SELECT * FROM profile_versions WHERE profile_id = ? AND version = ?"),
      devicesUsing: db.prepare("SELECT COUNT(*) FROM devices WHERE profile_id = ?").pluck(),
      delete: db.prepare("DELETE FROM profiles WHERE id = ?"),
    };
  }

  async list(page: { limit: number; offset: number }): Promise<{ items: DeviceProfile[]; total: number }> {
    const rows = this.statements.page.all(page.limit, page.offset) as ProfileRow[];
    return { items: rows.map((row) => toProfile(row, this.secrets)), total: this.statements.count.get() as number };
  }

  async all(): Promise<DeviceProfile[]> {
    return (this.statements.all.all() as ProfileRow[]).map((row) => toProfile(row, this.secrets));
  }

  async get(id: string): Promise<DeviceProfile | undefined> {
    const row = this.statements.get.get(id) as ProfileRow | undefined;
    return row && toProfile(row, this.secrets);
  }

  async create(write: ProfileWrite & { builtIn: boolean }): Promise<DeviceProfile> {
    const { id } = write.definition;
    try {
      this.db.transaction(() => {
        this.statements.insert.run({
          id,
          definition: storedProfile(write.definition, this.secrets),
          builtIn: write.builtIn ? 1 : 0,
          at: write.at,
          by: write.by,
        });
        this.statements.insertVersion.run(id);
      })();
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new DuplicateProfileError(id);
      throw error;
    }
    return (await this.get(id)) as DeviceProfile;
  }

  async update(id: string, write: ProfileWrite & { expectedVersion?: number }): Promise<DeviceProfile | undefined> {
    const found = this.db.transaction(() => {
      const current = this.statements.get.get(id) as ProfileRow | undefined;
      if (!current) return false;
      if (write.expectedVersion !== undefined && write.expectedVersion !== current.version) {
        throw new ProfileVersionConflictError(id, write.expectedVersion, current.version);
      }
      this.statements.update.run({ id, definition: storedProfile(write.definition, this.secrets), at: write.at, by: write.by });
      this.statements.insertVersion.run(id);
      return true;
    })();
    return found ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const devices = this.statements.devicesUsing.get(id) as number;
      if (devices > 0) throw new ProfileInUseError(id, devices);
      return this.statements.delete.run(id).changes > 0;
    })();
  }

  async versions(id: string): Promise<ProfileVersionInfo[] | undefined> {
    if (!this.statements.get.get(id)) return undefined;
    return (this.statements.versions.all(id) as VersionRow[]).map((row) => ({
      version: row.version,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    }));
  }

  async version(id: string, version: number): Promise<DeviceProfile | undefined> {
    const current = this.statements.get.get(id) as ProfileRow | undefined;
    const row = this.statements.version.get(id, version) as VersionRow | undefined;
    if (!current || !row) return undefined;
    return toProfile(
      { ...current, version: row.version, definition: row.definition, updated_at: row.updated_at, updated_by: row.updated_by },
      this.secrets,
    );
  }
}
