import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseApiKey } from "../src/http/api-key-format.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { createUser, logIn, passwordFor, postLogin, sessionCookieOf, sessionHeaders, type TestSession } from "./support/sessions.js";

const T0 = 1_700_000_000_000;
const ADMIN_PASSWORD = "admin-password-for-tests";
const IDLE_MS = 12 * 3_600_000;
const MAX_MS = 7 * 24 * 3_600_000;

describe("operator accounts: sessions, CSRF, passwords, users and their keys", () => {
  let running: RunningHub;
  let nowMs = T0;
  type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  const call = (
    method: Method,
    url: string,
    options: { session?: TestSession; csrf?: boolean; key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    running.hub.http.inject({
      method,
      url,
      headers: {
        ...(options.session ? sessionHeaders(options.session, options.csrf ?? true) : {}),
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
  const codeOf = (response: { statusCode: number; json(): unknown }) => ({
    status: response.statusCode,
    code: (response.json() as { error?: { code?: string } }).error?.code,
  });

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, adminPassword: ADMIN_PASSWORD }, undefined, { now: () => nowMs });
  });

  after(() => running.dispose());

  it("logs in with username and password: an HttpOnly, SameSite=Strict cookie, the CSRF token and the expiry times; nothing secret in the answer", async () => {
    const response = await postLogin(running.hub, "ADMIN", ADMIN_PASSWORD);
    assert.equal(response.statusCode, 200, response.body);
    const setCookie = String(response.headers["set-cookie"]);
    assert.match(
      setCookie,
      /^telehub_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/,
      "no Secure over plain http",
    );
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ["csrfToken", "expiresAt", "idleExpiresAt", "user"]);
    assert.deepEqual([body.user.username, body.user.role, body.user.lastLoginAt], ["admin", "admin", nowMs]);
    assert.deepEqual([body.expiresAt, body.idleExpiresAt], [nowMs + MAX_MS, nowMs + IDLE_MS]);
    assert.ok(!response.body.includes(ADMIN_PASSWORD) && !response.body.includes("scrypt$"));
    assert.ok(
      !response.body.includes((sessionCookieOf(response) as string).split("=")[1] as string),
      "the session id is only in the cookie",
    );
  });

  it("answers a wrong password and an unknown user alike: 401 with one message", async () => {
    const wrong = await postLogin(running.hub, "admin", "not-the-password");
    const unknown = await postLogin(running.hub, "nobody-here", "not-the-password");
    assert.deepEqual([wrong.statusCode, unknown.statusCode], [401, 401]);
    assert.equal(wrong.body, unknown.body);
    assert.equal(wrong.headers["set-cookie"], undefined);
  });

  it("a new tab picks up the session with GET /session (same CSRF token); GET /me names the user", async () => {
    const session = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const tab = await call("GET", "/api/v1/session", { session, csrf: false });
    assert.equal(tab.statusCode, 200);
    assert.equal(tab.json().csrfToken, session.csrfToken);
    const me = (await call("GET", "/api/v1/me", { session, csrf: false })).json();
    assert.deepEqual([me.kind, me.role, me.id, me.user.username], ["user", "admin", session.userId, "admin"]);
    assert.equal(me.key, undefined);
    assert.deepEqual(codeOf(await call("GET", "/api/v1/session", { key: TEST_ADMIN_KEY })), { status: 404, code: "TH_API_NOT_FOUND" });
  });

  it("refuses a state-changing request with the cookie but without the CSRF token, or with a wrong one; accepts it with the token; keys need none", async () => {
    const session = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const body = { name: "csrf" };
    assert.deepEqual(codeOf(await call("POST", "/api/v1/devices", { session, csrf: false, body })), { status: 403, code: "TH_API_CSRF" });
    const wrong = { ...session, csrfToken: `${session.csrfToken.slice(0, -1)}x` };
    assert.deepEqual(codeOf(await call("POST", "/api/v1/devices", { session: wrong, body })), { status: 403, code: "TH_API_CSRF" });
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      const response = await call(method, "/api/v1/devices/nope", { session, csrf: false, body: method === "DELETE" ? undefined : body });
      assert.deepEqual(codeOf(response), { status: 403, code: "TH_API_CSRF" }, method);
    }
    assert.equal((await call("POST", "/api/v1/devices", { session, body: { id: "csrf-ok" } })).statusCode, 201);
    assert.equal((await call("GET", "/api/v1/devices", { session, csrf: false })).statusCode, 200, "reads need no token");
    assert.equal((await call("POST", "/api/v1/devices", { key: TEST_ADMIN_KEY, body: { id: "key-ok" } })).statusCode, 201);
    assert.equal((await call("DELETE", "/api/v1/session", { session, csrf: false })).statusCode, 403, "logout needs the token too");
  });

  it("ends a session unused for security.sessionIdleMs, and any session security.sessionMaxMs after login", async () => {
    nowMs = T0 + 1_000_000;
    const idle = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const used = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const start = nowMs;
    nowMs = start + IDLE_MS - 120_000;
    assert.equal((await call("GET", "/api/v1/me", { session: used })).statusCode, 200);
    nowMs = start + IDLE_MS;
    assert.deepEqual(codeOf(await call("GET", "/api/v1/me", { session: idle })), { status: 401, code: "TH_API_UNAUTHORIZED" });
    assert.equal((await call("GET", "/api/v1/me", { session: used })).statusCode, 200, "use keeps a session alive");
    for (let at = start + IDLE_MS; at < start + MAX_MS; at += IDLE_MS / 2) {
      nowMs = at;
      assert.equal((await call("GET", "/api/v1/me", { session: used })).statusCode, 200, `used at +${at - start} ms`);
    }
    nowMs = start + MAX_MS;
    assert.deepEqual(codeOf(await call("GET", "/api/v1/me", { session: used })), { status: 401, code: "TH_API_UNAUTHORIZED" });
    nowMs = T0;
  });

  it("logs out one session (cookie cleared), and logs out everywhere", async () => {
    const one = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const two = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const three = await logIn(running.hub, "admin", ADMIN_PASSWORD);
    const logout = await call("DELETE", "/api/v1/session", { session: one });
    assert.equal(logout.statusCode, 204);
    assert.match(String(logout.headers["set-cookie"]), /^telehub_session=; .*Max-Age=0/);
    assert.equal((await call("GET", "/api/v1/session", { session: one })).statusCode, 401);
    assert.equal((await call("GET", "/api/v1/session", { session: two })).statusCode, 200, "only that session ended");
    assert.equal((await call("DELETE", "/api/v1/sessions", { session: two })).statusCode, 204);
    for (const session of [two, three]) assert.equal((await call("GET", "/api/v1/session", { session })).statusCode, 401);
    assert.equal((await call("GET", "/api/v1/me", { key: TEST_ADMIN_KEY })).statusCode, 200, "keys are not sessions");
  });

  it("a password change ends the user's other sessions and rotates this one; a wrong current password is refused", async () => {
    const alice = await createUser(running.hub, TEST_ADMIN_KEY, "alice", "operator");
    const here = await logIn(running.hub, "alice", alice.password);
    const elsewhere = await logIn(running.hub, "alice", alice.password);
    const badBody = { currentPassword: "wrong-password-123", newPassword: "alice-new-password" };
    assert.deepEqual(codeOf(await call("POST", "/api/v1/me/password", { session: here, body: badBody })), {
      status: 400,
      code: "TH_API_WRONG_PASSWORD",
    });
    const short = { currentPassword: alice.password, newPassword: "short" };
    assert.deepEqual(codeOf(await call("POST", "/api/v1/me/password", { session: here, body: short })), {
      status: 400,
      code: "TH_API_VALIDATION",
    });
    const changed = await call("POST", "/api/v1/me/password", {
      session: here,
      body: { currentPassword: alice.password, newPassword: "alice-new-password" },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const rotated: TestSession = { ...here, cookie: sessionCookieOf(changed) as string, csrfToken: changed.json().csrfToken };
    assert.notEqual(rotated.cookie, here.cookie);
    assert.notEqual(rotated.csrfToken, here.csrfToken);
    assert.ok(!changed.body.includes("alice-new-password"));
    for (const old of [here, elsewhere]) assert.equal((await call("GET", "/api/v1/me", { session: old })).statusCode, 401);
    assert.equal((await call("GET", "/api/v1/me", { session: rotated })).statusCode, 200);
    assert.equal((await postLogin(running.hub, "alice", alice.password)).statusCode, 401);
    assert.equal((await postLogin(running.hub, "alice", "alice-new-password")).statusCode, 200);
  });

  it("an admin reset ends every session of the user; the new password works", async () => {
    const bob = await createUser(running.hub, TEST_ADMIN_KEY, "bob", "viewer");
    const session = await logIn(running.hub, "bob", bob.password);
    const reset = await call("POST", `/api/v1/users/${bob.id}/password`, { key: TEST_ADMIN_KEY, body: { password: "bob-reset-password" } });
    assert.equal(reset.statusCode, 204);
    assert.equal((await call("GET", "/api/v1/me", { session })).statusCode, 401);
    assert.equal((await postLogin(running.hub, "bob", "bob-reset-password")).statusCode, 200);
  });

  it("a disabled user cannot log in, their sessions end and their keys stop working until enabled again", async () => {
    const carol = await createUser(running.hub, TEST_ADMIN_KEY, "carol", "operator");
    const session = await logIn(running.hub, "carol", carol.password);
    const created = await call("POST", "/api/v1/api-keys", { session, body: { name: "carol's script", role: "viewer" } });
    assert.equal(created.statusCode, 201);
    const key = created.json().key as string;
    assert.equal(created.json().apiKey.ownerName, "carol");
    const disabled = await call("PATCH", `/api/v1/users/${carol.id}`, { key: TEST_ADMIN_KEY, body: { disabled: true } });
    assert.equal(disabled.statusCode, 200);
    assert.equal(disabled.json().disabledAt, nowMs);
    assert.equal((await call("GET", "/api/v1/me", { session })).statusCode, 401);
    assert.equal((await call("GET", "/api/v1/me", { key })).statusCode, 401, "the key of a disabled user is refused");
    assert.equal((await postLogin(running.hub, "carol", carol.password)).statusCode, 401);
    await call("PATCH", `/api/v1/users/${carol.id}`, { key: TEST_ADMIN_KEY, body: { disabled: false } });
    assert.equal((await call("GET", "/api/v1/me", { key })).statusCode, 200);
    assert.equal((await call("DELETE", `/api/v1/users/${carol.id}`, { key: TEST_ADMIN_KEY })).statusCode, 204);
    assert.equal((await call("GET", "/api/v1/me", { key })).statusCode, 401, "deleting a user revokes their keys");
    assert.equal((await running.hub.apiKeys.get(parseApiKey(key)?.id as string))?.revokedAt, nowMs);
    assert.equal((await call("GET", `/api/v1/users/${carol.id}`, { key: TEST_ADMIN_KEY })).statusCode, 404);
    assert.deepEqual(
      codeOf(
        await call("POST", "/api/v1/users", {
          key: TEST_ADMIN_KEY,
          body: { username: "Carol", role: "viewer", password: passwordFor("x") },
        }),
      ),
      { status: 409, code: "TH_API_CONFLICT" },
      "a deleted user's username stays taken",
    );
  });

  it("a key expires at expiresAt; its role is at most its creator's, and at most its owner's later", async () => {
    const dave = await createUser(running.hub, TEST_ADMIN_KEY, "dave", "operator");
    const session = await logIn(running.hub, "dave", dave.password);
    assert.deepEqual(codeOf(await call("POST", "/api/v1/api-keys", { session, body: { name: "too much", role: "admin" } })), {
      status: 403,
      code: "TH_API_FORBIDDEN",
    });
    const past = await call("POST", "/api/v1/api-keys", { session, body: { name: "past", role: "viewer", expiresAt: nowMs } });
    assert.deepEqual(codeOf(past), { status: 400, code: "TH_API_VALIDATION" });
    const created = await call("POST", "/api/v1/api-keys", {
      session,
      body: { name: "short", role: "operator", expiresAt: nowMs + 1_000 },
    });
    assert.equal(created.statusCode, 201);
    const key = created.json().key as string;
    assert.equal(created.json().apiKey.expiresAt, nowMs + 1_000);
    const viaKey = await call("POST", "/api/v1/api-keys", { key, body: { name: "child", role: "admin" } });
    assert.deepEqual(codeOf(viaKey), { status: 403, code: "TH_API_FORBIDDEN" }, "a key cannot make a key above its own role");
    const child = await call("POST", "/api/v1/api-keys", { key, body: { name: "child", role: "viewer" } });
    assert.equal(child.json().apiKey.ownerId, dave.id, "a key's key belongs to the key's owner");
    await call("PATCH", `/api/v1/users/${dave.id}`, { key: TEST_ADMIN_KEY, body: { role: "viewer" } });
    assert.equal((await call("GET", "/api/v1/me", { key })).json().role, "viewer", "a demoted owner caps the key's role");
    assert.deepEqual(codeOf(await call("POST", "/api/v1/devices", { key, body: {} })), { status: 403, code: "TH_API_FORBIDDEN" });
    nowMs += 1_000;
    assert.deepEqual(codeOf(await call("GET", "/api/v1/me", { key })), { status: 401, code: "TH_API_UNAUTHORIZED" });
    nowMs = T0;
  });

  it("non-admins see and revoke only their own keys", async () => {
    const erin = await createUser(running.hub, TEST_ADMIN_KEY, "erin", "viewer");
    const session = await logIn(running.hub, "erin", erin.password);
    const own = (await call("POST", "/api/v1/api-keys", { session, body: { name: "erin's", role: "viewer" } })).json();
    const listed = (await call("GET", "/api/v1/api-keys", { session })).json().data as { id: string }[];
    assert.deepEqual(
      listed.map((key) => key.id),
      [own.apiKey.id],
    );
    const adminKeyId = parseApiKey(TEST_ADMIN_KEY)?.id as string;
    assert.deepEqual(codeOf(await call("DELETE", `/api/v1/api-keys/${adminKeyId}`, { session })), {
      status: 404,
      code: "TH_API_NOT_FOUND",
    });
    assert.equal((await call("DELETE", `/api/v1/api-keys/${own.apiKey.id}`, { session })).statusCode, 204);
    assert.ok(
      ((await call("GET", "/api/v1/api-keys", { key: TEST_ADMIN_KEY })).json().data as { id: string }[]).length > 2,
      "admins see all",
    );
  });

  it("refuses to delete, disable or demote the last active admin user with 409 TH_API_LAST_ADMIN", async () => {
    const admin = (await call("GET", "/api/v1/me", { key: TEST_ADMIN_KEY })).json().user as { id: string };
    const last = { status: 409, code: "TH_API_LAST_ADMIN" };
    assert.deepEqual(codeOf(await call("DELETE", `/api/v1/users/${admin.id}`, { key: TEST_ADMIN_KEY })), last);
    assert.deepEqual(codeOf(await call("PATCH", `/api/v1/users/${admin.id}`, { key: TEST_ADMIN_KEY, body: { disabled: true } })), last);
    assert.deepEqual(codeOf(await call("PATCH", `/api/v1/users/${admin.id}`, { key: TEST_ADMIN_KEY, body: { role: "operator" } })), last);
    const frank = await createUser(running.hub, TEST_ADMIN_KEY, "frank", "admin");
    assert.equal(
      (await call("PATCH", `/api/v1/users/${admin.id}`, { key: TEST_ADMIN_KEY, body: { name: "Still admin" } })).statusCode,
      200,
    );
    const session = await logIn(running.hub, "frank", frank.password);
    assert.equal(
      (await call("PATCH", `/api/v1/users/${frank.id}`, { session, body: { role: "operator" } })).statusCode,
      200,
      "two admins: one may go",
    );
  });

  it("lists users paged with X-Total-Count, never with a password hash", async () => {
    const response = await call("GET", "/api/v1/users?limit=2&offset=0", { key: TEST_ADMIN_KEY });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.data.length, 2);
    assert.equal(Number(response.headers["x-total-count"]), body.total);
    assert.ok(body.total >= 5);
    assert.ok(!response.body.includes("scrypt"));
  });

  it("audits logins, failed logins, user changes and key creation by user name (and a key's owner)", async () => {
    const entries = (await call("GET", "/api/v1/audit?limit=1000", { key: TEST_ADMIN_KEY })).json().data as {
      actor: string;
      actorName: string | null;
      owner: string | null;
      action: string;
      target: string;
    }[];
    const actions = new Set(entries.map((entry) => `${entry.action} ${entry.actor}`));
    for (const expected of [
      "session.login user:admin",
      "session.login-failed login:admin",
      "session.login-failed login:nobody-here",
      "session.logout user:admin",
      "session.logout-all user:admin",
      "user.create key:abababababababab",
      "user.password-change user:alice",
      "user.password-reset key:abababababababab",
      "user.update key:abababababababab",
      "user.delete key:abababababababab",
      "api-key.create user:carol",
      "api-key.revoke user:erin",
    ])
      assert.ok(actions.has(expected), `audited: ${expected}`);
    const byKey = entries.find((entry) => entry.action === "user.create");
    assert.deepEqual([byKey?.actorName, byKey?.owner], ["initial admin", "user:admin"]);
    const daveChild = entries.find((entry) => entry.action === "api-key.create" && entry.owner === "user:dave");
    assert.ok(daveChild?.actor.startsWith("key:"), "a key's action names the key and its owner");
    assert.ok(!JSON.stringify(entries).includes(ADMIN_PASSWORD));
  });
});
