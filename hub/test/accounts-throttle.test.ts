import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { createUser, logIn, postLogin, sessionHeaders } from "./support/sessions.js";

const WRONG = "not-the-password-at-all";

test("login throttling per account over all addresses: a guesser is refused everywhere except where the owner logged in before", async () => {
  const running = await startHub({
    adminKey: TEST_ADMIN_KEY,
    security: { authFailuresPerMinute: 100, loginFailuresPerAccount: 4, loginBlockMs: 900_000 },
  });
  try {
    const alice = await createUser(running.hub, TEST_ADMIN_KEY, "alice", "operator");
    await logIn(running.hub, "alice", alice.password, "10.0.9.9");
    for (let i = 0; i < 4; i++) assert.equal((await postLogin(running.hub, "alice", WRONG, `10.0.1.${i}`)).statusCode, 401);
    const elsewhere = await postLogin(running.hub, "alice", alice.password, "10.0.2.1");
    assert.equal(elsewhere.statusCode, 429, "the right password from a new address waits");
    assert.equal(elsewhere.json().error.code, "TH_API_THROTTLED");
    assert.ok(Number(elsewhere.headers["retry-after"]) > 0 && Number(elsewhere.headers["retry-after"]) <= 900);
    assert.equal(
      (await postLogin(running.hub, "ALICE", alice.password, "10.0.2.1")).statusCode,
      429,
      "usernames are one account in any case",
    );
    assert.equal(
      (await postLogin(running.hub, "alice", alice.password, "10.0.9.9")).statusCode,
      200,
      "the owner's own address still logs in",
    );
  } finally {
    await running.dispose();
  }
});

test("login throttling per account and address: that pair waits; the account from elsewhere and another user from that address log in", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 5, loginFailuresPerAccount: 50 } });
  try {
    const carol = await createUser(running.hub, TEST_ADMIN_KEY, "carol", "viewer");
    const dave = await createUser(running.hub, TEST_ADMIN_KEY, "dave", "viewer");
    for (let i = 0; i < 5; i++) assert.equal((await postLogin(running.hub, "carol", WRONG, "10.0.0.9")).statusCode, 401);
    assert.equal((await postLogin(running.hub, "carol", carol.password, "10.0.0.9")).statusCode, 429);
    assert.equal((await postLogin(running.hub, "carol", carol.password, "10.0.0.10")).statusCode, 200);
    assert.equal(
      (await postLogin(running.hub, "dave", dave.password, "10.0.0.9")).statusCode,
      200,
      "a valid other user from the throttled address",
    );
    const session = await logIn(running.hub, "dave", dave.password, "10.0.0.9");
    const me = await running.hub.http.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: sessionHeaders(session),
      remoteAddress: "10.0.0.9",
    });
    assert.equal(me.statusCode, 200, "sessions from the throttled address are served");
  } finally {
    await running.dispose();
  }
});

test("wrong current passwords of a password change count as failed logins", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 100, loginFailuresPerAccount: 3 } });
  try {
    const erin = await createUser(running.hub, TEST_ADMIN_KEY, "erin", "viewer");
    const session = await logIn(running.hub, "erin", erin.password, "10.0.3.1");
    const change = (currentPassword: string) =>
      running.hub.http.inject({
        method: "POST",
        url: "/api/v1/me/password",
        headers: sessionHeaders(session),
        remoteAddress: "10.0.3.2",
        payload: { currentPassword, newPassword: "erin-new-password-1" },
      });
    for (let i = 0; i < 3; i++) assert.equal((await change(WRONG)).statusCode, 400);
    const blocked = await change(erin.password);
    assert.equal(blocked.statusCode, 429, "a stolen session cannot guess the password faster than a login");
  } finally {
    await running.dispose();
  }
});

for (const trusted of [true, false]) {
  test(`login throttling with trustProxy ${trusted ? "naming the proxy: X-Forwarded-For is the client" : "off: a spoofed X-Forwarded-For escapes nothing"}; the cookie is Secure only when a trusted proxy says https`, async () => {
    const running = await startHub({
      adminKey: TEST_ADMIN_KEY,
      security: { authFailuresPerMinute: 3, loginFailuresPerAccount: 50, trustProxy: trusted ? "127.0.0.1" : "" },
    });
    try {
      const frank = await createUser(running.hub, TEST_ADMIN_KEY, "frank", "viewer");
      const login = (password: string, client: string, proto = "http") =>
        running.hub.http.inject({
          method: "POST",
          url: "/api/v1/session",
          remoteAddress: "127.0.0.1",
          headers: { "x-forwarded-for": client, "x-forwarded-proto": proto },
          payload: { username: "frank", password },
        });
      for (let i = 0; i < 3; i++) assert.equal((await login(WRONG, "10.0.0.1")).statusCode, 401);
      assert.equal((await login(frank.password, "10.0.0.1")).statusCode, 429);
      const other = await login(frank.password, "10.0.0.2", "https");
      assert.equal(other.statusCode, trusted ? 200 : 429);
      if (trusted) assert.match(String(other.headers["set-cookie"]), /; Secure$/, "https at the proxy: Secure");
      const direct = await running.hub.http.inject({
        method: "POST",
        url: "/api/v1/session",
        remoteAddress: "10.9.9.9",
        headers: { "x-forwarded-proto": "https" },
        payload: { username: "frank", password: frank.password },
      });
      assert.equal(direct.statusCode, 200);
      assert.doesNotMatch(String(direct.headers["set-cookie"]), /Secure/, "an untrusted peer cannot claim https");
    } finally {
      await running.dispose();
    }
  });
}

/** Open the live WebSocket with these headers; answers the HTTP status of a refusal, or 101 when it opened. */
function openLive(running: RunningHub, headers: Record<string, string>, protocols = ["telehub.live.v1"]): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${running.wsUrl}/v1/live`, protocols, { headers });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", () => {});
  });
}

test("the live WebSocket takes the session cookie only from the hub's own origin; bad cookies count in the API throttle", async () => {
  const running = await startHub({
    adminKey: TEST_ADMIN_KEY,
    adminPassword: "live-admin-password",
    security: { authFailuresPerMinute: 3 },
  });
  try {
    const session = await logIn(running.hub, "admin", "live-admin-password");
    const host = new URL(running.url).host;
    assert.equal(await openLive(running, { cookie: session.cookie, origin: `http://${host}` }), 101);
    assert.equal(
      await openLive(running, { cookie: session.cookie, origin: "https://evil.example" }),
      403,
      "cross-site WebSocket hijacking",
    );
    assert.equal(await openLive(running, { cookie: session.cookie }), 403, "no Origin, no cookie login");
    assert.equal(
      await openLive(running, { origin: "https://evil.example" }, ["telehub.live.v1", `bearer.${TEST_ADMIN_KEY}`]),
      101,
      "keys are not cookies",
    );
    const badCookie = { cookie: "telehub_session=not-a-session", origin: `http://${host}` };
    for (let i = 0; i < 3; i++) assert.equal(await openLive(running, badCookie), 401);
    const api = await running.hub.http.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: badCookie.cookie } });
    assert.equal(api.statusCode, 429, "the live channel's failures count with the API's");
    assert.equal((await running.hub.http.inject({ method: "GET", url: "/api/v1/me", headers: sessionHeaders(session) })).statusCode, 200);
  } finally {
    await running.dispose();
  }
});

test("failed authentications on the SSE live route count in the API throttle", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3 } });
  try {
    const bad = { cookie: "telehub_session=nope" };
    for (let i = 0; i < 3; i++) {
      const response = await running.hub.http.inject({ method: "GET", url: "/api/v1/live?topics=presence:*", headers: bad });
      assert.equal(response.statusCode, 401);
    }
    assert.equal((await running.hub.http.inject({ method: "GET", url: "/api/v1/devices", headers: bad })).statusCode, 429);
  } finally {
    await running.dispose();
  }
});
