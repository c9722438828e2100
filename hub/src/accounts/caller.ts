import type { LiveCloseCode } from "../live/live-subscriber.js";
import type { ApiKeyRecord, Role } from "../storage/api-key-repository.js";
import type { SessionRecord } from "../storage/session-repository.js";
import type { UserRecord } from "../storage/user-repository.js";

/**
 * Who made an authenticated request: a user through a session cookie, or an API key (with the
 * user that owns it, or none for a legacy key made before accounts existed).
 */
export interface Caller {
  kind: "user" | "key";
  /** The user's id (session) or the key's id. */
  id: string;
  /** The user's display name, or the key's name. */
  name: string;
  /** What the caller may do: the user's role, or the key's role capped by its owner's. */
  role: Role;
  /** The session's user, or the key's owner (null for a legacy key). */
  user: UserRecord | null;
  key: ApiKeyRecord | null;
  session: SessionRecord | null;
}

/** The audit log's name of a caller: `user:<username>` or `key:<id>`. */
export function actorOf(caller: Caller): string {
  return caller.kind === "user" ? `user:${caller.user?.username}` : `key:${caller.id}`;
}

/** For a key, who it acts for (`user:<username>`), or null (a session, or a legacy key). */
export function ownerOf(caller: Caller): string | null {
  return caller.kind === "key" && caller.user ? `user:${caller.user.username}` : null;
}

/**
 * Who a live connection belongs to: it counts against each (`live.maxSubscribersPerCaller`) and is
 * closed when one ends. `user:<id>` (a user's sessions and keys together), `key:<id>`; for a
 * session also `session:<id hash>` (logout) and `user-sessions:<user id>` (all the user's sessions
 * ended: log out everywhere, password change or reset).
 */
export function liveOwnersOf(caller: Caller): string[] {
  const owners: string[] = [];
  if (caller.user) owners.push(`user:${caller.user.id}`);
  if (caller.key) owners.push(`key:${caller.key.id}`);
  if (caller.session) owners.push(`session:${caller.session.idHash}`, `user-sessions:${caller.session.userId}`);
  return owners;
}

/** Why the live connections of an owner (see {@link liveOwnersOf}) are closed: the key was revoked, the user disabled or deleted, or the session ended. */
export function liveCloseCodeOf(owner: string): LiveCloseCode {
  if (owner.startsWith("key:")) return "TH_API_KEY_REVOKED";
  if (owner.startsWith("user:")) return "TH_API_USER_DISABLED";
  return "TH_API_SESSION_ENDED";
}
