import type { AuthProvider } from "react-admin";
import { API_URL } from "./api";
import { currentIdentity, forgetIdentity, type Role, storeIdentity } from "./auth/credentials";
import { endSession, logInWithPassword, loginRefusal, markSessionEnded, resumeSession, stopResuming } from "./auth/session-api";

/** What the login page sends: a username and password (a session), or an API key. */
export type LoginParams = { username: string; password: string } | { apiKey: string };

async function logInWithKey(apiKey: string): Promise<void> {
  const key = apiKey.trim();
  if (!key) throw new Error("Enter an API key");
  // `omit`: a session cookie must not decide who this key is.
  const response = await fetch(`${API_URL}/me`, {
    credentials: "omit",
    headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
  });
  if (!response.ok) throw loginRefusal(response, "The hub does not know this API key (or it was revoked or expired)");
  const me = (await response.json()) as { id: string; name: string; role: Role };
  storeIdentity({ kind: "key", key, role: me.role, name: me.name });
}

/** The identity now, or the session the browser already holds (a new tab, a reload). */
async function identity() {
  return currentIdentity() ?? (await resumeSession());
}

/**
 * Log in with a username and password (the hub answers a session cookie; docs/dashboard.md,
 * "Log in") or with an API key (checked with `GET /api/v1/me`). A 401 from any call logs the
 * tab out; a 403 only means the role is too small, so it keeps the login.
 */
export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    if ("apiKey" in params) await logInWithKey(params.apiKey);
    else {
      const username = params.username.trim();
      if (!username || !params.password) throw new Error("Enter your username and password");
      await logInWithPassword(username, params.password);
    }
  },
  async logout() {
    const was = currentIdentity();
    forgetIdentity();
    if (was?.kind === "session") await endSession(was.csrfToken);
    else stopResuming();
  },
  async checkAuth() {
    // No message: the login page says what to do.
    if (!(await identity())) throw { message: false };
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      const was = currentIdentity();
      // The hub has already ended it: logout must not ask the hub again.
      forgetIdentity();
      markSessionEnded();
      throw new Error(was?.kind === "key" ? "The API key is no longer accepted" : "Your session has ended: log in again");
    }
  },
  async getIdentity() {
    const who = await identity();
    if (!who) throw new Error("not logged in");
    if (who.kind === "key") return { id: who.key.slice(4, 20), fullName: `${who.name} (${who.role})` };
    return { id: who.user.id, fullName: `${who.user.name || who.user.username} (${who.role})` };
  },
  async getPermissions() {
    // Never undefined: react-query treats that as a failure and retries for seconds.
    return (await identity().catch(() => undefined))?.role ?? null;
  },
};
