import { toRecord, type UserRow } from "../sqlite/sqlite-user-repository.js";
import { DuplicateUsernameError, type UserChange, type UserRecord, type UserRepository } from "../user-repository.js";
import type { PgDatabase } from "./pg-database.js";
import { isUniqueViolation } from "./pg-violations.js";

/** Operator accounts in PostgreSQL; a username is unique by its index, across every instance. */
export class PgUserRepository implements UserRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(user: Omit<UserRecord, "lastLoginAt" | "disabledAt" | "deletedAt" | "passwordChangedAt">): Promise<UserRecord> {
    try {
      const { rows } = await this.db.query<UserRow>(
        `INSERT INTO users (id, username, name, email, role, password_hash, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
        [user.id, user.username, user.name, user.email, user.role, user.passwordHash, user.createdAt],
      );
      return toRecord(rows[0] as UserRow);
    } catch (error) {
      if (isUniqueViolation(error, "users_username_key")) throw new DuplicateUsernameError(user.username);
      throw error;
    }
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query<UserRow>("SELECT * FROM users WHERE id = $1", [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query<UserRow>("SELECT * FROM users WHERE username = $1", [username.toLowerCase()]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(page: { limit: number; offset: number }): Promise<{ items: UserRecord[]; total: number }> {
    const [listed, count] = await Promise.all([
      this.db.query<UserRow>("SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT $1 OFFSET $2", [
        page.limit,
        page.offset,
      ]),
      this.db.query<{ total: number }>("SELECT COUNT(*) AS total FROM users WHERE deleted_at IS NULL"),
    ]);
    return { items: listed.rows.map(toRecord), total: count.rows[0]?.total ?? 0 };
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ total: number }>("SELECT COUNT(*) AS total FROM users");
    return rows[0]?.total ?? 0;
  }

  async countActiveAdmins(): Promise<number> {
    const { rows } = await this.db.query<{ total: number }>(
      "SELECT COUNT(*) AS total FROM users WHERE role = 'admin' AND deleted_at IS NULL AND disabled_at IS NULL",
    );
    return rows[0]?.total ?? 0;
  }

  async update(id: string, change: UserChange): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query<UserRow>(
      `UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email), role = COALESCE($4, role),
         disabled_at = CASE WHEN $5 THEN $6::bigint ELSE disabled_at END WHERE id = $1 RETURNING *`,
      [id, change.name ?? null, change.email ?? null, change.role ?? null, change.disabledAt !== undefined, change.disabledAt ?? null],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async setPassword(id: string, passwordHash: string, at: number): Promise<void> {
    await this.db.query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3", [passwordHash, at, id]);
  }

  async touchLogin(id: string, at: number): Promise<void> {
    await this.db.query("UPDATE users SET last_login_at = $1 WHERE id = $2", [at, id]);
  }

  async markDeleted(id: string, at: number): Promise<void> {
    await this.db.query("UPDATE users SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL", [at, id]);
  }
}
