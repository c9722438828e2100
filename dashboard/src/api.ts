import { fetchUtils, HttpError } from "react-admin";
import { currentIdentity, type Identity } from "./auth/credentials";
import { refreshCsrfToken, resumeSession } from "./auth/session-api";

/** Base path of the hub's API; the dashboard is served by the hub (or proxied to it by Vite). */
export const API_URL = "/api/v1";

/** Methods the hub treats as state-changing: a cookie session must send its CSRF token with them. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type HubAnswer<T> = { json: T; headers: Headers; status: number };

function codeOf(error: unknown): string | undefined {
  if (!(error instanceof HttpError)) return undefined;
  return (error.body as { error?: { code?: string } } | undefined)?.error?.code;
}

async function send<T>(path: string, options: fetchUtils.Options, identity: Identity): Promise<HubAnswer<T>> {
  const headers = new Headers(options.headers ?? { Accept: "application/json" });
  if (identity.kind === "key") headers.set("Authorization", `Bearer ${identity.key}`);
  else if (STATE_CHANGING.has((options.method ?? "GET").toUpperCase())) headers.set("X-CSRF-Token", identity.csrfToken);
  const {
    json,
    headers: answerHeaders,
    status,
  } = await fetchUtils.fetchJson(`${API_URL}${path}`, {
    ...options,
    headers,
    // A key speaks for itself: a session cookie the browser may also hold is not sent with it.
    credentials: identity.kind === "key" ? "omit" : "same-origin",
  });
  return { json: json as T, headers: answerHeaders, status };
}

/**
 * Call the hub's API as the tab's identity: with the key (`Authorization`), or with the
 * session cookie plus `X-CSRF-Token` on state-changing calls. A `403 TH_API_CSRF` fetches the
 * session's token again and retries once. Errors become react-admin's `HttpError` with the
 * hub's message (`{error: {code, message}}`), so notifications say what the hub said.
 */
export async function hubFetch<T = unknown>(path: string, options: fetchUtils.Options = {}): Promise<HubAnswer<T>> {
  const identity = currentIdentity() ?? (await resumeSession());
  // Logged out: answer as the hub would, without asking it (failed credentials count towards its throttle).
  if (!identity) throw new HttpError("Log in first", 401, { error: { code: "TH_API_UNAUTHORIZED" } });
  try {
    try {
      return await send<T>(path, options, identity);
    } catch (error) {
      if (identity.kind !== "session" || codeOf(error) !== "TH_API_CSRF" || !(await refreshCsrfToken())) throw error;
      const refreshed = currentIdentity();
      if (refreshed?.kind !== "session") throw error;
      return await send<T>(path, options, refreshed);
    }
  } catch (error) {
    if (error instanceof HttpError) {
      const body = error.body as { error?: { code?: string; message?: string } } | undefined;
      if (body?.error?.message) throw new HttpError(`${body.error.message} (${body.error.code})`, error.status, error.body);
    }
    throw error;
  }
}

/** `?a=1&b=2` of the defined values. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}
