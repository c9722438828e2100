import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { createUser, logIn, sessionHeaders, type TestSession } from "./support/sessions.js";

/** A live WebSocket opened with a session cookie from the hub's own page; resolves once open, with how it closed later. */
function openWithSession(running: RunningHub, session: TestSession): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${running.wsUrl}/v1/live`, ["telehub.live.v1"], {
    headers: { cookie: session.cookie, origin: `http://${new URL(running.url).host}` },
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ closed }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function openWithKey(running: RunningHub, key: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${running.wsUrl}/v1/live`, ["telehub.live.v1", `bearer.${key}`]);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, closed }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

// A connection that is not closed hangs its wait: the file's deadline turns that into a failure, not a stall.
test("live connections end with their session: logout closes that session's, log out everywhere all of the user's; disabling a user closes its keys' too", {
  timeout: 60_000,
}, async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  try {
    const gina = await createUser(running.hub, TEST_ADMIN_KEY, "gina", "viewer");
    const first = await logIn(running.hub, "gina", gina.password);
    const second = await logIn(running.hub, "gina", gina.password);
    const third = await logIn(running.hub, "gina", gina.password);
    const firstLive = await openWithSession(running, first);
    const secondLive = await openWithSession(running, second);
    const thirdLive = await openWithSession(running, third);
    const logout = await running.hub.http.inject({ method: "DELETE", url: "/api/v1/session", headers: sessionHeaders(first) });
    assert.equal(logout.statusCode, 204);
    assert.deepEqual(await firstLive.closed, { code: 1008, reason: "TH_API_SESSION_ENDED" });
    const everywhere = await running.hub.http.inject({ method: "DELETE", url: "/api/v1/sessions", headers: sessionHeaders(second) });
    assert.equal(everywhere.statusCode, 204);
    assert.deepEqual(await secondLive.closed, { code: 1008, reason: "TH_API_SESSION_ENDED" });
    assert.deepEqual(await thirdLive.closed, { code: 1008, reason: "TH_API_SESSION_ENDED" });

    const session = await logIn(running.hub, "gina", gina.password);
    const created = await running.hub.http.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: sessionHeaders(session),
      payload: { name: "gina's screen", role: "viewer" },
    });
    const keyLive = await openWithKey(running, created.json().key);
    const adminLive = await openWithKey(running, TEST_ADMIN_KEY);
    const disabled = await running.hub.http.inject({
      method: "PATCH",
      url: `/api/v1/users/${gina.id}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      payload: { disabled: true },
    });
    assert.equal(disabled.statusCode, 200);
    assert.equal((await keyLive.closed).code, 1008, "a disabled user's key connections close");
    adminLive.ws.send(JSON.stringify({ type: "subscribe", topics: ["presence:*"] }));
    const answer = await new Promise<string>((resolve) => adminLive.ws.once("message", (data) => resolve(data.toString())));
    assert.equal(JSON.parse(answer).type, "subscribed", "other users' connections stay");
  } finally {
    await running.dispose();
  }
});
