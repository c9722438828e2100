import type Database from "better-sqlite3";
import type { SessionRecord, SessionRepository } from "../session-repository.js";

/** A `sessions` row, as meta.db and PostgreSQL both hold it. */
export interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export function toRecord(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** Dashboard sessions in the embedded metadata database. */
export class SqliteSessionRepository implements SessionRepository {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES (@idHash, @userId, @csrfToken, @createdAt, @lastSeenAt, @expiresAt)`,
      ),
      get: db.prepare("SELECT * FROM sessions WHERE id_hash = ?"),
      touch: db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?"),
      revoke: db.prepare("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL"),
      revokeForUser: db.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"),
      prune: db.prepare("DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?"),
    };
  }

  async create(session: Omit<SessionRecord, "revokedAt">): Promise<void> {
    this.statements.insert.run(session);
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const row = this.statements.get.get(idHash) as SessionRow | undefined;
    return row && toRecord(row);
  }

  async touch(idHash: string, at: number): Promise<void> {
    this.statements.touch.run(at, idHash);
  }

  async revoke(idHash: string, at: number): Promise<void> {
    this.statements.revoke.run(at, idHash);
  }

  async revokeForUser(userId: string, at: number): Promise<number> {
    return this.statements.revokeForUser.run(at, userId).changes;
  }

  async prune(before: number): Promise<void> {
    this.statements.prune.run(before, before);
  }
}
