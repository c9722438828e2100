import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpTestHub } from "./support/http-test-hub.js";
import { createUser, logIn, sessionHeaders, type TestSession } from "./support/sessions.js";

describe("preferences per user and key; the names of command senders", () => {
  let t: HttpTestHub;
  let alice: TestSession;
  let aliceAgain: TestSession;
  let bob: TestSession;
  let viewerKey: string;

  before(async () => {
    t = await HttpTestHub.start();
    const a = await createUser(t.hub, t.adminKey, "alice", "operator");
    const b = await createUser(t.hub, t.adminKey, "bob", "viewer");
    alice = await logIn(t.hub, a.username, a.password);
    aliceAgain = await logIn(t.hub, a.username, a.password);
    bob = await logIn(t.hub, b.username, b.password);
    viewerKey = await t.createKey("viewer", "wall screen");
  });
  after(() => t.close());

  const asSession = (session: TestSession, method: "GET" | "PUT", body?: unknown) =>
    t.hub.http.inject({
      method,
      url: "/api/v1/me/preferences",
      headers: sessionHeaders(session),
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  it("GET answers {} before any PUT; PUT replaces the whole document and answers it", async () => {
    assert.deepEqual((await asSession(alice, "GET")).json(), {});
    const first = { deviceCharts: { "pi-agent": { hidden: ["Uptime"], shown: ["Swap used"] } }, fleet: { tiles: "compact" } };
    const put = await asSession(alice, "PUT", first);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), first);
    assert.deepEqual((await asSession(alice, "GET")).json(), first);
    const second = { theme: "dark" };
    await asSession(alice, "PUT", second);
    assert.deepEqual((await asSession(alice, "GET")).json(), second, "replaced, not merged");
  });

  it("each principal sees only its own: a user's in all its sessions, another user's apart, a key's apart", async () => {
    assert.deepEqual((await asSession(aliceAgain, "GET")).json(), { theme: "dark" }, "the same user in another session");
    assert.deepEqual((await asSession(bob, "GET")).json(), {}, "a viewer user may read (and keep) its own");
    assert.equal((await asSession(bob, "PUT", { theme: "light" })).statusCode, 200);
    assert.deepEqual((await t.request("GET", "/api/v1/me/preferences", { key: viewerKey })).json(), {});
    const put = await t.request("PUT", "/api/v1/me/preferences", { key: viewerKey, body: { wall: true } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual((await t.request("GET", "/api/v1/me/preferences", { key: viewerKey })).json(), { wall: true });
    assert.deepEqual((await t.request("GET", "/api/v1/me/preferences")).json(), {}, "the admin key has none");
    assert.deepEqual((await asSession(alice, "GET")).json(), { theme: "dark" });
    assert.deepEqual((await asSession(bob, "GET")).json(), { theme: "light" });
  });

  it("more than 16 KiB of JSON: 413 TH_API_PREFERENCES_TOO_LARGE, nothing stored; exactly 16 KiB is taken", async () => {
    const sized = (bytes: number) => ({ pad: "x".repeat(bytes - '{"pad":""}'.length) });
    assert.equal(Buffer.byteLength(JSON.stringify(sized(16_384))), 16_384);
    const fits = await asSession(alice, "PUT", sized(16_384));
    assert.equal(fits.statusCode, 200);
    const tooLarge = await asSession(alice, "PUT", sized(16_385));
    assert.equal(tooLarge.statusCode, 413);
    assert.equal((tooLarge.json() as { error: { code: string } }).error.code, "TH_API_PREFERENCES_TOO_LARGE");
    assert.deepEqual((await asSession(alice, "GET")).json(), sized(16_384));
  });

  it("PUT needs an object body, a session's CSRF token, and a credential", async () => {
    assert.equal((await asSession(alice, "PUT", [1, 2])).statusCode, 400);
    const noCsrf = await t.hub.http.inject({
      method: "PUT",
      url: "/api/v1/me/preferences",
      headers: sessionHeaders(alice, false),
      payload: { theme: "x" },
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await t.request("GET", "/api/v1/me/preferences", { key: null })).statusCode, 401);
  });

  it("commands name their sender: the key's name, or the user's username", async () => {
    await t.createDevice("cmd-1");
    const operatorKey = await t.createKey("operator", "ops bot");
    const byKey = await t.request("POST", "/api/v1/devices/cmd-1/commands", { key: operatorKey, body: { name: "reboot" } });
    assert.equal(byKey.statusCode, 201, byKey.body);
    assert.equal(byKey.json().createdByName, "ops bot");
    const byUser = await t.hub.http.inject({
      method: "POST",
      url: "/api/v1/devices/cmd-1/commands",
      headers: sessionHeaders(alice),
      payload: { name: "reboot" },
    });
    assert.equal(byUser.statusCode, 201, byUser.body);
    assert.equal(byUser.json().createdBy, alice.userId, "createdBy stays the id");
    assert.equal(byUser.json().createdByName, "alice");
    const read = await t.request("GET", `/api/v1/commands/${byUser.json().id}`, { key: viewerKey });
    assert.equal(read.json().createdByName, "alice");
    const list = (await t.request("GET", "/api/v1/commands?deviceId=cmd-1&order=asc")).json();
    assert.deepEqual(
      list.data.map((c: { createdByName: string | null }) => c.createdByName),
      ["ops bot", "alice"],
    );
    const bulk = await t.request("POST", "/api/v1/commands/bulk", { key: operatorKey, body: { name: "ping", devices: ["cmd-1"] } });
    assert.equal(bulk.json().results[0].command.createdByName, "ops bot");
    const cancelled = await t.request("POST", `/api/v1/commands/${byKey.json().id}/cancel`);
    assert.equal(cancelled.json().createdByName, "ops bot");
  });
});
