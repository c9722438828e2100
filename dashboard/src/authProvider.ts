import type { AuthProvider } from "react-admin";
import { API_URL } from "./api";
import { forgetIdentity, type Role, storedIdentity, storeIdentity } from "./auth/credentials";

/**
 * Login with an operator API key (the hub has no passwords): the key is checked with
 * `GET /api/v1/me`, then kept in sessionStorage with its role. A 401 from any call logs out;
 * a 403 only means the role is too small, so it keeps the session.
 */
export const authProvider: AuthProvider = {
  async login({ apiKey }: { apiKey?: string }) {
    const key = (apiKey ?? "").trim();
    if (!key) throw new Error("Enter an API key");
    const response = await fetch(`${API_URL}/me`, { headers: { Authorization: `Bearer ${key}`, Accept: "application/json" } });
    if (response.status === 401) throw new Error("The hub does not know this API key (or it was revoked)");
    if (response.status === 429) throw new Error("Too many failed logins from this address: wait a minute");
    if (!response.ok) throw new Error(`The hub answered ${response.status}`);
    const me = (await response.json()) as { id: string; name: string; role: Role };
    storeIdentity({ key, role: me.role, name: me.name });
  },
  async logout() {
    forgetIdentity();
  },
  async checkAuth() {
    if (!storedIdentity()) throw new Error("Log in with an API key");
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      forgetIdentity();
      throw new Error("The API key is no longer accepted");
    }
  },
  async getIdentity() {
    const identity = storedIdentity();
    if (!identity) throw new Error("not logged in");
    return { id: identity.key.slice(4, 20), fullName: `${identity.name} (${identity.role})` };
  },
  async getPermissions() {
    // Never undefined: react-query treats that as a failure and retries for seconds.
    return storedIdentity()?.role ?? null;
  },
};
