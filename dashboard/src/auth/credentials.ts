/**
 * Who this tab is logged in as. Two ways in (docs/dashboard.md, "Log in"):
 *
 * - a **user session**: the hub holds it in an `HttpOnly` cookie the page cannot read; the tab
 *   keeps only what `/api/v1/session` answered (the user, its role and the session's CSRF
 *   token) in memory. The CSRF token alone is no credential (the cookie is needed with it),
 *   yet it is not written anywhere: a new tab or a reload asks `GET /api/v1/session` again
 *   (when `localStorage` holds the flag that a password login happened: see `session-api.ts`).
 * - an **API key**: kept in `sessionStorage` as before accounts existed, so it is gone when
 *   the tab closes and never reaches another tab or long-lived storage.
 */
const KEY_ITEM = "telehub.apiKey";
const ROLE_ITEM = "telehub.role";
const NAME_ITEM = "telehub.keyName";

/** A role of a user or an API key (see docs/api.md, "Roles"). */
export type Role = "viewer" | "operator" | "admin";

/** A user as the hub answers it (`User` in docs/api.md). */
export interface User {
  id: string;
  username: string;
  name: string;
  email: string;
  role: Role;
  createdAt: number;
  disabledAt: number | null;
  lastLoginAt: number | null;
}

/** A user logged in with a password: the cookie authenticates, `csrfToken` goes with every change. */
export interface SessionIdentity {
  kind: "session";
  user: User;
  role: Role;
  csrfToken: string;
}

/** A login with an API key (`thk_…`), sent as `Authorization: Bearer` with every call. */
export interface KeyIdentity {
  kind: "key";
  key: string;
  role: Role;
  name: string;
}

export type Identity = SessionIdentity | KeyIdentity;

let session: SessionIdentity | undefined;

function storedKey(): KeyIdentity | undefined {
  const key = sessionStorage.getItem(KEY_ITEM);
  const role = sessionStorage.getItem(ROLE_ITEM) as Role | null;
  if (!key || !role) return undefined;
  return { kind: "key", key, role, name: sessionStorage.getItem(NAME_ITEM) ?? "" };
}

/** The tab's identity now; undefined when logged out or when a session has not been asked for yet. */
export function currentIdentity(): Identity | undefined {
  return session ?? storedKey();
}

const identityListeners = new Set<() => void>();

/** Call `listener` after every login and logout (the live channel reconnects with the new credential). */
export function onIdentityChange(listener: () => void): () => void {
  identityListeners.add(listener);
  return () => identityListeners.delete(listener);
}

function changed(): void {
  for (const listener of identityListeners) listener();
}

export function storeIdentity(identity: Identity): void {
  clearKey();
  session = undefined;
  if (identity.kind === "session") session = identity;
  else {
    sessionStorage.setItem(KEY_ITEM, identity.key);
    sessionStorage.setItem(ROLE_ITEM, identity.role);
    sessionStorage.setItem(NAME_ITEM, identity.name);
  }
  changed();
}

/** A session's CSRF token changed (rotated by a password change, or fetched again after `TH_API_CSRF`). */
export function replaceCsrfToken(csrfToken: string): void {
  if (session) session = { ...session, csrfToken };
}

function clearKey(): boolean {
  const had = sessionStorage.getItem(KEY_ITEM) !== null;
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.removeItem(ROLE_ITEM);
  sessionStorage.removeItem(NAME_ITEM);
  return had;
}

export function forgetIdentity(): void {
  const had = clearKey() || session !== undefined;
  session = undefined;
  if (had) changed();
}

/** May this role create, change, delete devices and send commands? */
export const canOperate = (role: unknown): boolean => role === "operator" || role === "admin";
/** May this role manage users, everyone's API keys and read the audit log? */
export const isAdmin = (role: unknown): boolean => role === "admin";
