import type { LightMyRequestResponse } from "fastify";
import type { Hub } from "../../src/app.js";
import type { Role } from "../../src/storage/api-key-repository.js";

/** A logged-in dashboard session as a browser holds it. */
export interface TestSession {
  /** `telehub_session=<id>`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  userId: string;
  username: string;
}

/** The `name=value` part of the session cookie an answer sets, or undefined. */
export function sessionCookieOf(response: LightMyRequestResponse): string | undefined {
  const header = response.headers["set-cookie"];
  const cookies = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  return cookies.map((cookie) => cookie.split(";")[0] as string).find((pair) => pair.startsWith("telehub_session="));
}

/** `POST /api/v1/session`; answers the raw response. */
export function postLogin(hub: Hub, username: string, password: string, remoteAddress?: string): Promise<LightMyRequestResponse> {
  return hub.http.inject({
    method: "POST",
    url: "/api/v1/session",
    payload: { username, password },
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  });
}

/** Log in; fails unless the hub answers 200 with a cookie. */
export async function logIn(hub: Hub, username: string, password: string, remoteAddress?: string): Promise<TestSession> {
  const response = await postLogin(hub, username, password, remoteAddress);
  const cookie = sessionCookieOf(response);
  if (response.statusCode !== 200 || !cookie) throw new Error(`login of ${username} failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { csrfToken: string; user: { id: string; username: string } };
  return { cookie, csrfToken: body.csrfToken, userId: body.user.id, username: body.user.username };
}

/** Headers of a request made with a session: the cookie and (unless `csrf` is false) the CSRF token. */
export function sessionHeaders(session: TestSession, csrf = true): Record<string, string> {
  return { cookie: session.cookie, ...(csrf ? { "x-csrf-token": session.csrfToken } : {}) };
}

/** A password long enough for the hub. */
export function passwordFor(username: string): string {
  return `${username}-password-0123`;
}

/** Create a user through the API with an admin key; answers its id, username and password. */
export async function createUser(
  hub: Hub,
  adminKey: string,
  username: string,
  role: Role,
): Promise<{ id: string; username: string; password: string }> {
  const password = passwordFor(username);
  const response = await hub.http.inject({
    method: "POST",
    url: "/api/v1/users",
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { username, role, password, name: `${username} (${role})`, email: `${username}@example.com` },
  });
  if (response.statusCode !== 201) throw new Error(`could not create user ${username}: ${response.body}`);
  return { id: (response.json() as { id: string }).id, username, password };
}
