import { fetchUtils, HttpError } from "react-admin";
import { authorization } from "./auth/credentials";

/** Base path of the hub's API; the dashboard is served by the hub (or proxied to it by Vite). */
export const API_URL = "/api/v1";

/**
 * Call the hub's API with the stored key. Errors become react-admin's `HttpError` with the
 * hub's message (`{error: {code, message}}`), so notifications say what the hub said.
 */
export async function hubFetch<T = unknown>(
  path: string,
  options: fetchUtils.Options = {},
): Promise<{ json: T; headers: Headers; status: number }> {
  const headers = new Headers(options.headers ?? { Accept: "application/json" });
  const auth = authorization();
  // Logged out: answer as the hub would, without asking it (failed keys count towards its throttle).
  if (!auth) throw new HttpError("Log in with an API key", 401, { error: { code: "TH_API_UNAUTHORIZED" } });
  headers.set("Authorization", auth);
  try {
    const { json, headers: answerHeaders, status } = await fetchUtils.fetchJson(`${API_URL}${path}`, { ...options, headers });
    return { json: json as T, headers: answerHeaders, status };
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
