/** One thing an operator did: who, what, to what, when. */
export interface AuditEntry {
  id: number;
  at: number;
  /**
   * Who: `user:<username>` (a dashboard session, or a login), `key:<id>` (an API key). Entries
   * written before operator accounts hold the bare key id.
   */
  actor: string;
  /** The user's display name or the key's name when the entry was written; null in older entries. */
  actorName: string | null;
  /** For a key, the user it acts for (`user:<username>`); null for a session, a legacy key, or older entries. */
  owner: string | null;
  /** e.g. `command.send`, `config.set`, `device.create`, `session.login`, `user.create`, `api-key.revoke`. */
  action: string;
  /** What it was done to, e.g. a device id, a command id, a user id or a key id. */
  target: string;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
  target?: string;
}

/** The audit log (append-only). */
export interface AuditLog {
  /** `actorName` and `owner` may be left out (null). */
  record(entry: Omit<AuditEntry, "id" | "actorName" | "owner"> & Partial<Pick<AuditEntry, "actorName" | "owner">>): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }>;
}
