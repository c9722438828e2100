import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { Role } from "../src/storage/api-key-repository.js";
import { API_ROUTE_CASES, type ApiRouteCase } from "./support/http-routes.js";
import { HttpTestHub, T0 } from "./support/http-test-hub.js";
import { createUser, logIn, sessionHeaders, type TestSession } from "./support/sessions.js";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const IDLE_MS = 12 * 3_600_000;

/** One kind of caller: its headers (made fresh per request, so a session a route ended is replaced) and the role it acts with. */
interface Credential {
  name: string;
  role: Role | null;
  headers: () => Promise<Record<string, string>>;
}

/**
 * The role rules over EVERY route of the API (taken from the OpenAPI document, so a new route
 * cannot be left out) × every kind of caller: no credential, an expired session, a session and a
 * key of each role, and another user's revoked key.
 */
describe("role matrix: every route × every kind of caller", () => {
  let t: HttpTestHub;
  let baseUrl: string;
  const credentials: Credential[] = [];

  before(async () => {
    t = await HttpTestHub.start();
    baseUrl = await t.hub.listen();
    const adminKey = t.adminKey;
    const passwords: Record<Role, { username: string; password: string }> = {
      admin: { username: "admin", password: t.hub.generatedAdminPassword as string },
      operator: await createUser(t.hub, adminKey, "matrix-operator", "operator"),
      viewer: await createUser(t.hub, adminKey, "matrix-viewer", "viewer"),
    };
    const sessions = new Map<Role, TestSession>();
    // A route may end the session (logout, log out everywhere, a key's owner logging out everywhere): log in again then.
    const liveSession = async (role: Role): Promise<TestSession> => {
      const known = sessions.get(role);
      if (known && (await t.request("GET", "/api/v1/session", { key: null, headers: sessionHeaders(known) })).statusCode === 200)
        return known;
      const fresh = await logIn(t.hub, passwords[role].username, passwords[role].password);
      sessions.set(role, fresh);
      return fresh;
    };
    for (const role of ["viewer", "operator", "admin"] as const) {
      const session = await liveSession(role);
      const created = await t.request("POST", "/api/v1/api-keys", {
        key: null,
        headers: sessionHeaders(session),
        body: { name: `${role} key`, role },
      });
      assert.equal(created.statusCode, 201, created.body);
      const key = (created.json() as { key: string }).key;
      credentials.push(
        { name: `${role} session`, role, headers: async () => sessionHeaders(await liveSession(role)) },
        { name: `${role} key`, role, headers: async () => ({ authorization: `Bearer ${key}` }) },
      );
    }
    const other = await createUser(t.hub, adminKey, "matrix-other", "admin");
    const otherSession = await logIn(t.hub, other.username, other.password);
    const revoked = (
      await t.request("POST", "/api/v1/api-keys", {
        key: null,
        headers: sessionHeaders(otherSession),
        body: { name: "revoked", role: "admin" },
      })
    ).json() as { key: string; apiKey: { id: string } };
    assert.equal((await t.request("DELETE", `/api/v1/api-keys/${revoked.apiKey.id}`)).statusCode, 204);
    // Logged in, then left unused for longer than security.sessionIdleMs.
    t.nowMs = T0 - IDLE_MS - 60_000;
    const expired = await logIn(t.hub, passwords.admin.username, passwords.admin.password);
    t.nowMs = T0;
    credentials.push(
      { name: "no credential", role: null, headers: async () => ({}) },
      { name: "expired admin session", role: null, headers: async () => sessionHeaders(expired) },
      { name: "another user's revoked admin key", role: null, headers: async () => ({ authorization: `Bearer ${revoked.key}` }) },
    );
  });

  after(() => t.close());

  /** The live stream never ends: it is opened over a real socket and only its status is read. */
  async function send(route: ApiRouteCase, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
    if (route.path === "/api/v1/live") {
      const abort = new AbortController();
      const response = await fetch(`${baseUrl}${route.url}`, { headers, signal: abort.signal });
      const code = response.status === 200 ? undefined : ((await response.json()) as { error?: { code?: string } }).error?.code;
      abort.abort();
      return { status: response.status, code };
    }
    const response: LightMyRequestResponse = await t.request(route.method, route.url, { key: null, headers, body: route.body });
    const body = response.headers["content-type"]?.toString().includes("json") ? (response.json() as { error?: { code?: string } }) : {};
    return { status: response.statusCode, code: body.error?.code };
  }

  it("every route in the OpenAPI document has a case (so it is in the matrix)", async () => {
    const document = (await t.request("GET", "/api/v1/openapi.json", { key: null })).json() as { paths: Record<string, object> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const known = new Set(API_ROUTE_CASES.map((route) => `${route.method} ${route.path}`));
    for (const route of documented) assert.ok(known.has(route), `${route} has no case in test/support/http-routes.ts`);
    assert.equal(documented.length, known.size);
  });

  it("the alarm routes need the roles issue #19 gives them (viewers read; operators acknowledge, clear, write rules, backtest, read deliveries; admins write channels)", () => {
    const alarmRoutes = API_ROUTE_CASES.filter((route) => /^\/api\/v1\/(alarm|notification)/.test(route.path));
    assert.deepEqual(Object.fromEntries(alarmRoutes.map((route) => [`${route.method} ${route.path}`, route.access])), {
      "GET /api/v1/alarm-rules": "viewer",
      "POST /api/v1/alarm-rules": "operator",
      "GET /api/v1/alarm-rules/{id}": "viewer",
      "PUT /api/v1/alarm-rules/{id}": "operator",
      "DELETE /api/v1/alarm-rules/{id}": "operator",
      "POST /api/v1/alarm-rules/backtest": "operator",
      "POST /api/v1/alarm-rules/{id}/backtest": "operator",
      "GET /api/v1/alarms": "viewer",
      "GET /api/v1/alarms/summary": "viewer",
      "GET /api/v1/alarms/{id}": "viewer",
      "POST /api/v1/alarms/{id}/acknowledge": "operator",
      "POST /api/v1/alarms/{id}/clear": "operator",
      "GET /api/v1/notification-channels": "viewer",
      "POST /api/v1/notification-channels": "admin",
      "GET /api/v1/notification-channels/{id}": "viewer",
      "PUT /api/v1/notification-channels/{id}": "admin",
      "DELETE /api/v1/notification-channels/{id}": "admin",
      "POST /api/v1/notification-channels/{id}/test": "admin",
      "GET /api/v1/notification-deliveries": "operator",
      "GET /api/v1/notification-deliveries/{id}": "operator",
    });
  });

  it("401 without a valid credential, 403 for a role too small, neither for a role that suffices", async () => {
    const guarded = API_ROUTE_CASES.filter((route) => route.access !== "public");
    assert.ok(guarded.length >= 34, `only ${guarded.length} guarded routes`);
    let cells = 0;
    for (const route of guarded) {
      const needed = route.access as Role;
      for (const credential of credentials) {
        const answer = await send(route, await credential.headers());
        const cell = `${route.method} ${route.url} as ${credential.name}: ${answer.status} ${answer.code}`;
        if (credential.role === null) assert.deepEqual(answer, { status: 401, code: "TH_API_UNAUTHORIZED" }, cell);
        else if (RANK[credential.role] < RANK[needed]) assert.deepEqual(answer, { status: 403, code: "TH_API_FORBIDDEN" }, cell);
        else assert.ok(answer.status !== 401 && answer.status !== 403, cell);
        cells++;
      }
    }
    assert.equal(cells, guarded.length * 9);
  });
});
