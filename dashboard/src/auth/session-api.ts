import { currentIdentity, replaceCsrfToken, type SessionIdentity, storeIdentity, type User } from "./credentials";

/** The hub's answer to a login and to `GET /api/v1/session` (docs/api.md, "Sessions"). */
interface SessionAnswer {
  user: User;
  csrfToken: string;
  expiresAt: number;
  idleExpiresAt: number;
}

const SESSION_URL = "/api/v1/session";

/** What a refused login says; `wait N s` from `Retry-After` when the hub throttles. */
export function loginRefusal(response: Response, wrongCredentials: string): Error {
  if (response.status === 401) return new Error(wrongCredentials);
  if (response.status === 429) {
    const seconds = Number(response.headers.get("retry-after"));
    const wait = Number.isFinite(seconds) && seconds > 0 ? `wait ${Math.ceil(seconds)} s` : "wait a minute";
    return new Error(`Too many failed logins: ${wait}, then try again`);
  }
  return new Error(`The hub answered ${response.status}`);
}

function identityOf(answer: SessionAnswer): SessionIdentity {
  return { kind: "session", user: answer.user, role: answer.user.role, csrfToken: answer.csrfToken };
}

/**
 * `localStorage` flag (never a secret: "1" or absent) that this browser logged in with a
 * password and has not logged out since. The cookie is `HttpOnly`, so a new tab cannot see
 * whether there is one: without the flag it shows the login page without asking the hub
 * (whose `401` every browser logs as an error), with it it asks `GET /api/v1/session`.
 */
const SESSION_HINT_ITEM = "telehub.session";

/**
 * Known to have no session (a 401 from the hub, or logged out here): the tab does not ask
 * again until the next login, so a logged-out page does not send a request per component.
 */
let noSession = localStorage.getItem(SESSION_HINT_ITEM) === null;
let resuming: Promise<SessionIdentity | undefined> | undefined;

function sessionStarted(): void {
  noSession = false;
  localStorage.setItem(SESSION_HINT_ITEM, "1");
}

/** Remember that the cookie (if any) no longer names a session: after a logout or a 401. */
export function markSessionEnded(): void {
  noSession = true;
  localStorage.removeItem(SESSION_HINT_ITEM);
}

let rotation: Promise<unknown> | undefined;

/**
 * Run `change` (a password change), during which the hub ends this session and answers a new
 * cookie: whoever wants to know whether the session still holds waits for it (`rotated()`).
 */
export async function rotating<T>(change: () => Promise<T>): Promise<T> {
  const running = change();
  rotation = running;
  try {
    return await running;
  } finally {
    if (rotation === running) rotation = undefined;
  }
}

/** Resolves once no password change is under way (the session's cookie is the one to ask with). */
export async function rotated(): Promise<void> {
  await rotation?.catch(() => undefined);
}

/** This tab logged out of a key: it does not pick up another tab's session until it logs in again. */
export function stopResuming(): void {
  noSession = true;
}

/** `POST /api/v1/session`: the hub sets the `HttpOnly` cookie; the tab keeps the user and CSRF token in memory. */
export async function logInWithPassword(username: string, password: string): Promise<void> {
  const response = await fetch(SESSION_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw loginRefusal(response, "Wrong username or password");
  sessionStarted();
  storeIdentity(identityOf((await response.json()) as SessionAnswer));
}

async function askForSession(): Promise<SessionAnswer | undefined> {
  const response = await fetch(SESSION_URL, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) return undefined;
  if (!response.ok) throw new Error(`The hub answered ${response.status} when asked for the session`);
  return (await response.json()) as SessionAnswer;
}

/**
 * The session this browser already has (a new tab, a reload): `GET /api/v1/session` with the
 * cookie. Concurrent callers share one request; undefined when there is none.
 */
export function resumeSession(): Promise<SessionIdentity | undefined> {
  const identity = currentIdentity();
  if (identity?.kind === "session") return Promise.resolve(identity);
  if (identity || noSession) return Promise.resolve(undefined);
  resuming ??= askForSession()
    .then((answer) => {
      if (!answer) {
        markSessionEnded();
        return undefined;
      }
      const resumed = identityOf(answer);
      storeIdentity(resumed);
      return resumed;
    })
    .finally(() => {
      resuming = undefined;
    });
  return resuming;
}

/** Fetch the session's CSRF token again (after `403 TH_API_CSRF`); false when the session is gone. */
export async function refreshCsrfToken(): Promise<boolean> {
  const answer = await askForSession();
  if (!answer) return false;
  replaceCsrfToken(answer.csrfToken);
  return true;
}

/** `DELETE /api/v1/session`: ends this session on the hub, which clears the cookie. Failures are ignored (logging out goes on). */
export async function endSession(csrfToken: string): Promise<void> {
  markSessionEnded();
  await fetch(SESSION_URL, { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken } }).catch(() => undefined);
}
