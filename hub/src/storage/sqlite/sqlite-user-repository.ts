import type Database from "better-sqlite3";
import type { Role } from "../api-key-repository.js";
import { DuplicateUsernameError, type UserChange, type UserRecord, type UserRepository } from "../user-repository.js";

/** A `users` row, as meta.db and PostgreSQL both hold it. */
export interface UserRow {
  id: string;
  username: string;
  name: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  last_login_at: number | null;
  disabled_at: number | null;
  deleted_at: number | null;
}

export function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    email: row.email,
    role: row.role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
    lastLoginAt: row.last_login_at,
    disabledAt: row.disabled_at,
    deletedAt: row.deleted_at,
  };
}

/** Operator accounts in the embedded metadata database. */
export class SqliteUserRepository implements UserRepository {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO users (id, username, name, email, role, password_hash, created_at, password_changed_at)
         VALUES (@id, @username, @name, @email, @role, @passwordHash, @createdAt, @createdAt)`,
      ),
      get: db.prepare("SELECT * FROM users WHERE id = ?"),
      byUsername: db.prepare("SELECT * FROM users WHERE username = ?"),
      list: db.prepare("SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT ? OFFSET ?"),
      countListed: db.prepare("SELECT COUNT(*) FROM users WHERE deleted_at IS NULL").pluck(),
      count: db.prepare("SELECT COUNT(*) FROM users").pluck(),
      countActiveAdmins: db
        .prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL AND disabled_at IS NULL")
        .pluck(),
      update: db.prepare(
        `UPDATE users SET name = coalesce(@name, name), email = coalesce(@email, email), role = coalesce(@role, role),
         disabled_at = CASE WHEN @setDisabled THEN @disabledAt ELSE disabled_at END WHERE id = @id`,
      ),
      setPassword: db.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?"),
      touchLogin: db.prepare("UPDATE users SET last_login_at = ? WHERE id = ?"),
      markDeleted: db.prepare("UPDATE users SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"),
    };
  }

  async create(user: Omit<UserRecord, "lastLoginAt" | "disabledAt" | "deletedAt" | "passwordChangedAt">): Promise<UserRecord> {
    try {
      this.statements.insert.run(user);
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new DuplicateUsernameError(user.username);
      throw error;
    }
    return (await this.get(user.id)) as UserRecord;
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = this.statements.get.get(id) as UserRow | undefined;
    return row && toRecord(row);
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const row = this.statements.byUsername.get(username.toLowerCase()) as UserRow | undefined;
    return row && toRecord(row);
  }

  async list(page: { limit: number; offset: number }): Promise<{ items: UserRecord[]; total: number }> {
    const rows = this.statements.list.all(page.limit, page.offset) as UserRow[];
    return { items: rows.map(toRecord), total: this.statements.countListed.get() as number };
  }

  async count(): Promise<number> {
    return this.statements.count.get() as number;
  }

  async countActiveAdmins(): Promise<number> {
    return this.statements.countActiveAdmins.get() as number;
  }

  async update(id: string, change: UserChange): Promise<UserRecord | undefined> {
    this.statements.update.run({
      id,
      name: change.name ?? null,
      email: change.email ?? null,
      role: change.role ?? null,
      setDisabled: change.disabledAt === undefined ? 0 : 1,
      disabledAt: change.disabledAt ?? null,
    });
    return this.get(id);
  }

  async setPassword(id: string, passwordHash: string, at: number): Promise<void> {
    this.statements.setPassword.run(passwordHash, at, id);
  }

  async touchLogin(id: string, at: number): Promise<void> {
    this.statements.touchLogin.run(at, id);
  }

  async markDeleted(id: string, at: number): Promise<void> {
    this.statements.markDeleted.run(at, id);
  }
}
