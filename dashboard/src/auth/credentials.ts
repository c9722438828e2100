/**
 * Where the operator's API key lives in the browser: `sessionStorage`, so it is gone when the
 * tab closes and never reaches another tab or the disk's long-lived storage.
 */
const KEY_ITEM = "telehub.apiKey";
const ROLE_ITEM = "telehub.role";
const NAME_ITEM = "telehub.keyName";

/** A role of an operator API key (see docs/api.md, "Roles"). */
export type Role = "viewer" | "operator" | "admin";

export interface StoredIdentity {
  key: string;
  role: Role;
  name: string;
}

export function storedIdentity(): StoredIdentity | undefined {
  const key = sessionStorage.getItem(KEY_ITEM);
  const role = sessionStorage.getItem(ROLE_ITEM) as Role | null;
  if (!key || !role) return undefined;
  return { key, role, name: sessionStorage.getItem(NAME_ITEM) ?? "" };
}

const identityListeners = new Set<() => void>();

/** Call `listener` after every login and logout (the live channel reconnects with the new key). */
export function onIdentityChange(listener: () => void): () => void {
  identityListeners.add(listener);
  return () => identityListeners.delete(listener);
}

export function storeIdentity(identity: StoredIdentity): void {
  sessionStorage.setItem(KEY_ITEM, identity.key);
  sessionStorage.setItem(ROLE_ITEM, identity.role);
  sessionStorage.setItem(NAME_ITEM, identity.name);
  for (const listener of identityListeners) listener();
}

export function forgetIdentity(): void {
  const had = sessionStorage.getItem(KEY_ITEM) !== null;
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.removeItem(ROLE_ITEM);
  sessionStorage.removeItem(NAME_ITEM);
  if (had) for (const listener of identityListeners) listener();
}

/** The `Authorization` header value for the stored key, or undefined when logged out. */
export function authorization(): string | undefined {
  const identity = storedIdentity();
  return identity ? `Bearer ${identity.key}` : undefined;
}

/** May this role create, change, delete devices and send commands? */
export const canOperate = (role: unknown): boolean => role === "operator" || role === "admin";
/** May this role manage API keys? */
export const isAdmin = (role: unknown): boolean => role === "admin";
