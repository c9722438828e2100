/** A dashboard login: the cookie holds a random id, the hub keeps its SHA-256 hash. */
export interface SessionRecord {
  /** `hashSecret(id)`: the id itself is never stored. */
  idHash: string;
  userId: string;
  /** Sent back in `X-CSRF-Token` with every state-changing request. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end (`createdAt + security.sessionMaxMs`). */
  expiresAt: number;
  revokedAt: number | null;
}

/** Dashboard sessions. Async so that a server database can implement it. */
export interface SessionRepository {
  create(session: Omit<SessionRecord, "revokedAt">): Promise<void>;
  get(idHash: string): Promise<SessionRecord | undefined>;
  touch(idHash: string, at: number): Promise<void>;
  revoke(idHash: string, at: number): Promise<void>;
  /** Revoke every session of a user; answers how many ended. */
  revokeForUser(userId: string, at: number): Promise<number>;
  /** Forget sessions that ended before `before` (expired or revoked). */
  prune(before: number): Promise<void>;
}
