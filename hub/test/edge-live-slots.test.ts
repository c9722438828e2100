import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { generateApiKey } from "../src/http/api-key-format.js";
import { hashSecret } from "../src/security/secrets.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

// Issue #17, finding 8: one viewer key could take all live.maxSubscribers connections, after which
// every dashboard was refused. live.maxSubscribersPerCaller limits each key, and each user (its
// sessions and keys together).

/** A live WebSocket: resolves once the hub answered a subscription (it holds a place), or with how it was closed. */
async function openLive(running: RunningHub, key: string): Promise<{ ws: WebSocket; outcome: string }> {
  const ws = new WebSocket(`${running.wsUrl}/v1/live`, ["telehub.live.v1", `bearer.${key}`]);
  const outcome = await new Promise<string>((resolve, reject) => {
    ws.once("open", () => ws.send(JSON.stringify({ type: "subscribe", topics: ["presence:*"] })));
    ws.on("message", (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === "subscribed") resolve("open");
    });
    ws.once("close", (code, reason) => resolve(`closed ${code} ${reason.toString()}`));
    ws.once("unexpected-response", (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.once("error", reject);
  });
  return { ws, outcome };
}

/** An SSE live stream: its status and, when refused, its error code. */
async function openSse(running: RunningHub, key: string, abort: AbortController): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${running.url}/api/v1/live?topics=presence:*`, {
    headers: { authorization: `Bearer ${key}` },
    signal: abort.signal,
  });
  if (response.status === 200) {
    // Drained in the background until the test aborts it.
    void response.text().catch(() => undefined);
    return { status: 200 };
  }
  return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
}

/** A viewer key made directly in the registry, owned by `ownerId` (null: a key without an owner). */
async function viewerKey(running: RunningHub, name: string, ownerId: string | null): Promise<string> {
  const generated = generateApiKey();
  await running.hub.apiKeys.create({
    id: generated.id,
    name,
    role: "viewer",
    secretHash: hashSecret(generated.secret),
    ownerId,
    expiresAt: null,
    at: Date.now(),
  });
  return generated.key;
}

test("a key holds at most live.maxSubscribersPerCaller live connections, WebSocket and SSE together; other keys still get in", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { maxSubscribersPerCaller: 3 } });
  const sockets: WebSocket[] = [];
  const abort = new AbortController();
  try {
    const greedy = await viewerKey(running, "greedy", null);
    const other = await viewerKey(running, "other", null);
    const dashboard = await viewerKey(running, "dashboard", null);
    for (let i = 0; i < 2; i++) {
      const live = await openLive(running, greedy);
      sockets.push(live.ws);
      assert.equal(live.outcome, "open");
    }
    assert.deepEqual(await openSse(running, greedy, abort), { status: 200 });
    const refused = await openLive(running, greedy);
    sockets.push(refused.ws);
    assert.equal(refused.outcome, "closed 1013 TH_API_LIVE_CALLER_FULL");
    assert.deepEqual(await openSse(running, greedy, abort), { status: 429, code: "TH_API_LIVE_CALLER_FULL" });

    for (const key of [other, dashboard]) {
      const live = await openLive(running, key);
      sockets.push(live.ws);
      assert.equal(live.outcome, "open", "another key gets in while the first holds its maximum");
    }
    assert.deepEqual(await openSse(running, other, abort), { status: 200 });

    // A place given back is the key's again.
    sockets[0]?.close();
    await eventually(async () => {
      const again = await openLive(running, greedy);
      sockets.push(again.ws);
      return again.outcome === "open";
    }, "a freed place");
  } finally {
    abort.abort();
    for (const ws of sockets) ws.terminate();
    await running.dispose();
  }
});

test("a user's keys share the user's live.maxSubscribersPerCaller; another user's key still gets in", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { maxSubscribersPerCaller: 3 } });
  const sockets: WebSocket[] = [];
  try {
    const created = await callApi(running.hub, "POST", "/api/v1/users", {
      username: "wallboards",
      role: "viewer",
      password: "a long enough password",
    });
    assert.equal(created.status, 201);
    const userId = (created.body as { id: string }).id;
    const first = await viewerKey(running, "wall-1", userId);
    const second = await viewerKey(running, "wall-2", userId);
    const outcomes: string[] = [];
    for (const key of [first, first, second, second]) {
      const live = await openLive(running, key);
      sockets.push(live.ws);
      outcomes.push(live.outcome);
    }
    assert.deepEqual(outcomes, ["open", "open", "open", "closed 1013 TH_API_LIVE_CALLER_FULL"]);
    const admin = await openLive(running, TEST_ADMIN_KEY);
    sockets.push(admin.ws);
    assert.equal(admin.outcome, "open");
  } finally {
    for (const ws of sockets) ws.terminate();
    await running.dispose();
  }
});
