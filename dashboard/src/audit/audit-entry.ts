/** One entry of `GET /api/v1/audit` (docs/api.md, "Audit log"). */
export interface AuditEntry {
  id: number;
  at: number;
  /** `user:<username>` or `key:<id>`; a bare key id in entries from before operator accounts. */
  actor: string;
  /** The user's display name, or the key's name; null in older entries. */
  actorName: string | null;
  /** For a key: the user it acts for (`user:<username>`); null for a session or a key without an owner. */
  owner: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/** `user:ada` → `ada`. */
const withoutKind = (actor: string): string => actor.slice(actor.indexOf(":") + 1);

/** "Ada Lovelace (ada)", or "key 0123abcd… “grafana” of ada". */
export function actorLabel(entry: AuditEntry): string {
  if (entry.actor.startsWith("user:")) {
    const username = withoutKind(entry.actor);
    return entry.actorName && entry.actorName !== username ? `${entry.actorName} (${username})` : username;
  }
  if (entry.actor.startsWith("login:")) return `${withoutKind(entry.actor)} (failed login)`;
  const named = entry.actorName ? ` “${entry.actorName}”` : "";
  const owner = entry.owner ? ` of ${withoutKind(entry.owner)}` : "";
  return `key ${withoutKind(entry.actor)}${named}${owner}`;
}
