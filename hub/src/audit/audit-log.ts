/** One thing an operator did: who (API key id), what, to what, when. */
export interface AuditEntry {
  id: number;
  at: number;
  /** API key id of the caller. */
  actor: string;
  /** e.g. `command.send`, `command.cancel`, `config.set`, `device.create`. */
  action: string;
  /** What it was done to, e.g. a device id or a command id. */
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
  record(entry: Omit<AuditEntry, "id">): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }>;
}
