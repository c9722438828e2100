import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

/** A live WebSocket that records how it closed. */
async function openLive(wsUrl: string, key: string): Promise<{ ws: WebSocket; closed: { code?: number; reason?: string } }> {
  const ws = new WebSocket(`${wsUrl}/v1/live`, ["telehub.live.v1"], { headers: { authorization: `Bearer ${key}` } });
  const closed: { code?: number; reason?: string } = {};
  ws.on("close", (code, reason) => {
    closed.code = code;
    closed.reason = reason.toString();
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return { ws, closed };
}

test("revoking an API key closes the live connections (WebSocket and SSE) opened with it, and only those", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const sockets: WebSocket[] = [];
  const abort = new AbortController();
  try {
    const created = await callApi(running.hub, "POST", "/api/v1/api-keys", { name: "wallboard", role: "viewer" });
    assert.equal(created.status, 201);
    const { key, apiKey } = created.body as { key: string; apiKey: { id: string } };
    const viewerWs = await openLive(running.wsUrl, key);
    const adminWs = await openLive(running.wsUrl, TEST_ADMIN_KEY);
    sockets.push(viewerWs.ws, adminWs.ws);
    const sse = await fetch(`${running.url}/api/v1/live?topics=presence:*`, {
      headers: { authorization: `Bearer ${key}` },
      signal: abort.signal,
    });
    assert.equal(sse.status, 200);
    // Read the SSE stream to its end in the background.
    const sseText = sse.text().catch((error: Error) => `failed: ${error.message}`);
    await eventually(async () => (await running.hub.metrics.liveSubscribers.get()).values[0]?.value === 3, "three live connections");

    assert.equal((await callApi(running.hub, "DELETE", `/api/v1/api-keys/${apiKey.id}`)).status, 204);
    await eventually(() => viewerWs.closed.code !== undefined, "the viewer's WebSocket is closed");
    assert.deepEqual(viewerWs.closed, { code: 1008, reason: "TH_API_KEY_REVOKED" });
    const text = await sseText;
    assert.match(text, /event: closed\ndata: \{"code":"TH_API_KEY_REVOKED"\}/, "the SSE stream ends, saying why");
    assert.equal(adminWs.closed.code, undefined, "a connection with another key stays open");
    assert.equal((await running.hub.metrics.liveSubscribers.get()).values[0]?.value, 1);
    // And the revoked key cannot open a new one.
    const again = new WebSocket(`${running.wsUrl}/v1/live`, ["telehub.live.v1"], { headers: { authorization: `Bearer ${key}` } });
    again.on("error", () => undefined);
    const status = await new Promise<number>((resolve) => {
      again.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      again.once("open", () => resolve(101));
    });
    again.terminate();
    assert.equal(status, 401);
  } finally {
    abort.abort();
    for (const ws of sockets) ws.terminate();
    await running.dispose();
  }
});
