import type Database from "better-sqlite3";
import type { ApiKeyRecord, ApiKeyRepository, NewApiKey, Role } from "../api-key-repository.js";

/** An `api_keys` row, as meta.db and PostgreSQL both hold it. */
export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  secret_hash: string;
  owner_id: string | null;
  expires_at: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    secretHash: row.secret_hash,
    ownerId: row.owner_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Operator API keys in the embedded metadata database. */
export class SqliteApiKeyRepository implements ApiKeyRepository {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        "INSERT INTO api_keys (id, name, role, secret_hash, owner_id, expires_at, created_at) VALUES (@id, @name, @role, @secretHash, @ownerId, @expiresAt, @at)",
      ),
      get: db.prepare("SELECT * FROM api_keys WHERE id = ?"),
      list: db.prepare("SELECT * FROM api_keys ORDER BY created_at, id"),
      revoke: db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
      ownedActive: db.prepare("SELECT id FROM api_keys WHERE owner_id = ? AND revoked_at IS NULL").pluck(),
      revokeOwned: db.prepare("UPDATE api_keys SET revoked_at = ? WHERE owner_id = ? AND revoked_at IS NULL"),
      countActive: db.prepare("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL").pluck(),
      touch: db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?"),
    };
  }

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    this.statements.insert.run(key);
    return (await this.get(key.id)) as ApiKeyRecord;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.statements.get.get(id) as ApiKeyRow | undefined;
    return row && toRecord(row);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (this.statements.list.all() as ApiKeyRow[]).map(toRecord);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.statements.revoke.run(at, id).changes > 0;
  }

  async revokeForOwner(ownerId: string, at: number): Promise<string[]> {
    return this.db.transaction(() => {
      const ids = this.statements.ownedActive.all(ownerId) as string[];
      this.statements.revokeOwned.run(at, ownerId);
      return ids;
    })();
  }

  async countActive(): Promise<number> {
    return this.statements.countActive.get() as number;
  }

  async touch(id: string, at: number): Promise<void> {
    this.statements.touch.run(at, id);
  }
}
