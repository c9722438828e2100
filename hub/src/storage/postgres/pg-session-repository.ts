import type { SessionRecord, SessionRepository } from "../session-repository.js";
import { type SessionRow, toRecord } from "../sqlite/sqlite-session-repository.js";
import type { PgDatabase } from "./pg-database.js";

/** Dashboard sessions in PostgreSQL: a session opened on one instance is known to all. */
export class PgSessionRepository implements SessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(session: Omit<SessionRecord, "revokedAt">): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [session.idHash, session.userId, session.csrfToken, session.createdAt, session.lastSeenAt, session.expiresAt],
    );
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.db.query<SessionRow>("SELECT * FROM sessions WHERE id_hash = $1", [idHash]);
    return rows[0] && toRecord(rows[0]);
  }

  async touch(idHash: string, at: number): Promise<void> {
    await this.db.query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", [at, idHash]);
  }

  async revoke(idHash: string, at: number): Promise<void> {
    await this.db.query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL", [at, idHash]);
  }

  async revokeForUser(userId: string, at: number): Promise<number> {
    const { rowCount } = await this.db.query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", [at, userId]);
    return rowCount;
  }

  async prune(before: number): Promise<void> {
    await this.db.query("DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1", [before]);
  }
}
