import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type PrivateNginx, startBufferingProxy } from "@telehub/hub/nginx";
import { WebSocket } from "ws";
import { LiveClient } from "../../src/live/live-client.js";
import type { LiveStatus } from "../../src/live/live-types.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { fromDevice, nextUpdate } from "../support/live-updates.js";
import { requireNginx } from "../support/nginx.js";

// The browser's WebSocket; `ws` implements the same interface.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

describe("LiveClient through a proxy that buffers responses (nginx)", {
  skip: requireNginx(),
  timeout: 90_000,
}, () => {
  let hub: DashboardHub;
  let proxy: PrivateNginx;
  const clients: LiveClient[] = [];

  before(async () => {
    hub = await DashboardHub.start({ live: { maxPollWaitMs: 2_000 } });
    proxy = await startBufferingProxy(hub.url);
    await hub.startDevice("poll-1", { intervalMs: 100 });
    await hub.startDevice("poll-2", { intervalMs: 100 });
  });

  after(async () => {
    for (const client of clients) client.close();
    await proxy?.stop();
    await hub?.close();
  });

  it("falls back from the WebSocket to SSE, finds the stream held back, and long-polls; a change of topics keeps it; a WebSocket takes over once it passes", async () => {
    const statuses: LiveStatus[] = [];
    const live = new LiveClient({
      webSocketUrl: `${proxy.url.replace(/^http/, "ws")}/v1/live`,
      eventStreamUrl: `${proxy.url}/api/v1/live`,
      credential: () => ({ kind: "key", key: ADMIN_KEY }),
      backoff: { baseMs: 20, capMs: 200 },
      eventStreamSilenceMs: 1_500,
      pollWaitMs: 60_000,
      upgradeRetryMs: 1_000,
      onStatus: (status) => statuses.push(status),
    });
    clients.push(live);
    const hold = live.subscribe(["telemetry:poll-1"], () => undefined);
    await nextUpdate(live, [], fromDevice("poll-1"), 20_000);
    assert.deepEqual(live.currentStatus, { state: "open", transport: "long-poll" });
    const tried = [...new Set(statuses.map((s) => s.transport))];
    assert.deepEqual(tried, ["websocket", "sse", "long-poll"], "each transport in turn");
    assert.ok(!statuses.some((s) => s.transport === "sse" && s.state === "open"), "a held-back stream never counts as open");
    const opened = statuses.filter((s) => s.state === "open").length;
    // A new topic goes to the held poll's subscription: poll-2's values arrive without a reconnect.
    await nextUpdate(live, ["telemetry:poll-2"], fromDevice("poll-2"), 20_000);
    assert.equal(statuses.filter((s) => s.state === "open").length, opened, "no reconnect for a change of topics");
    // A direct path appears: the background WebSocket attempt takes over.
    await proxy.reload({ upstream: hub.url, mode: "websocket" });
    await nextUpdate(live, [], () => live.currentStatus.transport === "websocket", 20_000);
    assert.deepEqual(live.currentStatus, { state: "open", transport: "websocket" });
    await nextUpdate(live, ["telemetry:poll-2"], fromDevice("poll-2"), 20_000);
    hold();
  });
});

describe("LiveClient by long polling when the hub forgot its subscription", { timeout: 60_000 }, () => {
  let hub: DashboardHub;
  const clients: LiveClient[] = [];

  before(async () => {
    // Every subscription ends a millisecond after its answer: each poll with a cursor meets a forgotten one.
    hub = await DashboardHub.start({ live: { pollExpiryMs: 1 } });
  });

  after(async () => {
    for (const client of clients) client.close();
    await hub?.close();
  });

  it("hands a resync answer to the pages as dropped updates, so they reload", async () => {
    const live = new LiveClient({
      webSocketUrl: `${hub.url.replace(/^http/, "ws")}/v1/live`,
      eventStreamUrl: `${hub.url}/api/v1/live`,
      credential: () => ({ kind: "key", key: ADMIN_KEY }),
      transport: "long-poll",
    });
    clients.push(live);
    const lost = await nextUpdate(live, ["presence:*"], (update) => update.dropped > 0, 20_000);
    assert.deepEqual(lost, { type: "update", telemetry: [], commands: [], presence: [], config: [], alarms: [], dropped: 1 });
    assert.deepEqual(live.currentStatus, { state: "open", transport: "long-poll" });
  });
});
