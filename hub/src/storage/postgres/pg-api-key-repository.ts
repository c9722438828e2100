import type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from "../api-key-repository.js";
import { type ApiKeyRow, toRecord } from "../sqlite/sqlite-api-key-repository.js";
import type { PgDatabase } from "./pg-database.js";

/** Operator API keys in PostgreSQL. */
export class PgApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, role, secret_hash, owner_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [key.id, key.name, key.role, key.secretHash, key.ownerId, key.expiresAt, key.at],
    );
    return toRecord(rows[0] as ApiKeyRow);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query<ApiKeyRow>("SELECT * FROM api_keys WHERE id = $1", [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.db.query<ApiKeyRow>("SELECT * FROM api_keys ORDER BY created_at, id")).rows.map(toRecord);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.db.query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [at, id]);
    return rowCount > 0;
  }

  /** One statement: a key revoked meanwhile by another instance is not answered twice. */
  async revokeForOwner(ownerId: string, at: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `WITH revoked AS (UPDATE api_keys SET revoked_at = $1 WHERE owner_id = $2 AND revoked_at IS NULL RETURNING id, created_at)
       SELECT id FROM revoked ORDER BY created_at, id`,
      [at, ownerId],
    );
    return rows.map((row) => row.id);
  }

  async countActive(): Promise<number> {
    const { rows } = await this.db.query<{ active: number }>("SELECT COUNT(*) AS active FROM api_keys WHERE revoked_at IS NULL");
    return rows[0]?.active ?? 0;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2", [at, id]);
  }
}
