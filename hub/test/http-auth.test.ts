import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatApiKey, parseApiKey } from "../src/http/api-key-format.js";
import { LAST_USED_RESOLUTION_MS } from "../src/http/authentication.js";
import { generateId, generateSecret } from "../src/security/secrets.js";
import { API_ROUTE_CASES } from "./support/http-routes.js";
import { errorOf, HttpTestHub } from "./support/http-test-hub.js";

describe("HTTP API authentication and roles", () => {
  let t: HttpTestHub;
  let viewerKey: string;
  let operatorKey: string;
  const badCredentials: { name: string; header: () => string | undefined }[] = [];

  before(async () => {
    t = await HttpTestHub.start();
    viewerKey = await t.createKey("viewer");
    operatorKey = await t.createKey("operator");
    const revokedKey = await t.createKey("viewer", "to revoke");
    const revokedId = parseApiKey(revokedKey)?.id as string;
    assert.equal((await t.request("DELETE", `/api/v1/api-keys/${revokedId}`)).statusCode, 204);
    const adminId = parseApiKey(t.adminKey)?.id as string;
    badCredentials.push(
      { name: "no key", header: () => undefined },
      { name: "malformed key", header: () => "Bearer not-a-key" },
      { name: "malformed scheme", header: () => `Basic ${Buffer.from("a:b").toString("base64")}` },
      { name: "wrong secret", header: () => `Bearer ${formatApiKey({ id: adminId, secret: generateSecret() })}` },
      { name: "unknown key id", header: () => `Bearer ${formatApiKey({ id: generateId(), secret: generateSecret() })}` },
      { name: "revoked key", header: () => `Bearer ${revokedKey}` },
    );
  });

  after(() => t.close());

  it("refuses every non-public route × every bad credential with 401 TH_API_UNAUTHORIZED", async () => {
    const guarded = API_ROUTE_CASES.filter((route) => route.access !== "public");
    assert.ok(guarded.length >= 15);
    for (const route of guarded) {
      for (const credential of badCredentials) {
        const header = credential.header();
        const response = await t.request(route.method, route.url, {
          key: null,
          body: route.body,
          headers: header ? { authorization: header } : {},
        });
        assert.deepEqual(
          errorOf(response),
          { status: 401, code: "TH_API_UNAUTHORIZED" },
          `${route.method} ${route.url} with ${credential.name}`,
        );
        assert.match(String(response.headers["www-authenticate"]), /^Bearer/);
      }
    }
  });

  it("refuses an unknown API route without a key with 401, and with a key with 404 TH_API_ROUTE_NOT_FOUND", async () => {
    assert.deepEqual(errorOf(await t.request("GET", "/api/v1/nothing-here", { key: null })), { status: 401, code: "TH_API_UNAUTHORIZED" });
    assert.deepEqual(errorOf(await t.request("GET", "/api/v1/nothing-here", { key: viewerKey })), {
      status: 404,
      code: "TH_API_ROUTE_NOT_FOUND",
    });
  });

  it("serves the public routes without a key", async () => {
    // POST /session is the login: its answers are in accounts-sessions.test.ts.
    for (const route of API_ROUTE_CASES.filter((r) => r.access === "public" && r.method === "GET")) {
      const response = await t.request(route.method, route.url, { key: null });
      assert.equal(response.statusCode, 200, `${route.method} ${route.url}`);
    }
  });

  it("answers 403 TH_API_FORBIDDEN to a viewer on every write route", async () => {
    const writes = API_ROUTE_CASES.filter((route) => route.access === "operator" || route.access === "admin");
    assert.equal(writes.length, 32);
    for (const route of writes) {
      const response = await t.request(route.method, route.url, { key: viewerKey, body: route.body });
      assert.deepEqual(errorOf(response), { status: 403, code: "TH_API_FORBIDDEN" }, `${route.method} ${route.url}`);
    }
  });

  it("answers 403 TH_API_FORBIDDEN to an operator on every admin route (users, audit, profile writes)", async () => {
    const keyRoutes = API_ROUTE_CASES.filter((route) => route.access === "admin");
    assert.equal(keyRoutes.length, 14);
    for (const route of keyRoutes) {
      const response = await t.request(route.method, route.url, { key: operatorKey, body: route.body });
      assert.deepEqual(errorOf(response), { status: 403, code: "TH_API_FORBIDDEN" }, `${route.method} ${route.url}`);
    }
  });

  it("lets a viewer read", async () => {
    for (const route of API_ROUTE_CASES.filter(
      // The live stream never ends, so it is read in live-channel.test.ts instead.
      // GET /session needs a session cookie: a key gets 404 (accounts-sessions.test.ts).
      (r) =>
        r.access === "viewer" &&
        r.method === "GET" &&
        !r.url.includes("case-device") &&
        !r.url.includes("case-command") &&
        !r.url.includes("case-profile") &&
        !/case-(rule|alarm|channel)/.test(r.url) &&
        !r.url.includes("/live") &&
        r.path !== "/api/v1/session",
    )) {
      const response = await t.request(route.method, route.url, { key: viewerKey });
      assert.equal(response.statusCode, 200, `${route.method} ${route.url}: ${response.body}`);
    }
  });

  it("accepts the scheme name in any case", async () => {
    const response = await t.request("GET", "/api/v1/me", { key: null, headers: { authorization: `bearer ${viewerKey}` } });
    assert.equal(response.statusCode, 200);
  });

  it("GET /me names the calling key and the user that owns it", async () => {
    const response = await t.request("GET", "/api/v1/me", { key: operatorKey });
    const me = response.json();
    const id = parseApiKey(operatorKey)?.id;
    assert.deepEqual([me.id, me.name, me.role, me.kind], [id, "operator key", "operator", "key"]);
    assert.equal(me.user.username, "admin", "the key was made with the admin user's key, so that user owns it");
    assert.deepEqual(me.key, { id, name: "operator key", ownerId: me.user.id });
  });

  it("records lastUsedAt at most once a minute per key", async () => {
    const key = await t.createKey("viewer", "usage");
    const id = parseApiKey(key)?.id as string;
    assert.equal((await t.hub.apiKeys.get(id))?.lastUsedAt, null);
    const start = t.nowMs;
    await t.request("GET", "/api/v1/me", { key });
    assert.equal((await t.hub.apiKeys.get(id))?.lastUsedAt, start);
    t.nowMs = start + LAST_USED_RESOLUTION_MS - 1;
    await t.request("GET", "/api/v1/me", { key });
    assert.equal((await t.hub.apiKeys.get(id))?.lastUsedAt, start);
    t.nowMs = start + LAST_USED_RESOLUTION_MS;
    await t.request("GET", "/api/v1/me", { key });
    assert.equal((await t.hub.apiKeys.get(id))?.lastUsedAt, start + LAST_USED_RESOLUTION_MS);
  });
});

describe("GET /metrics with api.publicMetrics", () => {
  it("is open when publicMetrics is true", async () => {
    const t = await HttpTestHub.start({ api: { publicMetrics: true } });
    try {
      const response = await t.request("GET", "/metrics", { key: null });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers["content-type"]), /^text\/plain/);
      assert.match(response.body, /telehub_connected_devices/);
    } finally {
      await t.close();
    }
  });

  it("needs a key by default, and any role may read it", async () => {
    const t = await HttpTestHub.start();
    try {
      assert.deepEqual(errorOf(await t.request("GET", "/metrics", { key: null })), { status: 401, code: "TH_API_UNAUTHORIZED" });
      const viewer = await t.createKey("viewer");
      const response = await t.request("GET", "/metrics", { key: viewer });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /# TYPE telehub_readings_stored_total counter/);
    } finally {
      await t.close();
    }
  });
});
