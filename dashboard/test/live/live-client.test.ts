import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { Backoff } from "../../src/live/backoff.js";
import { LiveClient } from "../../src/live/live-client.js";
import type { LiveStatus, LiveUpdate } from "../../src/live/live-types.js";
import { CuttableProxy } from "../support/cuttable-proxy.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { fromDevice, nextUpdate } from "../support/live-updates.js";

// The browser's WebSocket; `ws` implements the same interface (onopen, onmessage with text as strings).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

describe("Backoff", () => {
  it("draws full-jitter delays under a doubling, capped ceiling, and starts over after reset", () => {
    const top = new Backoff({ baseMs: 100, capMs: 1_000 }, () => 0.999_999);
    assert.deepEqual(
      Array.from({ length: 6 }, () => top.next()),
      [99, 199, 399, 799, 999, 999],
    );
    top.reset();
    assert.equal(top.next(), 99);
    const bottom = new Backoff({ baseMs: 100, capMs: 1_000 }, () => 0);
    assert.equal(bottom.next(), 0, "full jitter may retry at once");
  });
});

describe("LiveClient against a real hub", { timeout: 60_000 }, () => {
  let hub: DashboardHub;
  let proxy: CuttableProxy;
  const clients: LiveClient[] = [];

  before(async () => {
    hub = await DashboardHub.start();
    proxy = await CuttableProxy.start(Number(new URL(hub.url).port));
    await hub.startDevice("live-1", { intervalMs: 50 });
  });

  after(async () => {
    for (const client of clients) client.close();
    await proxy?.close();
    await hub?.close();
  });

  function client(options: { webSocketPath?: string; statuses?: LiveStatus[] } = {}): LiveClient {
    const created = new LiveClient({
      webSocketUrl: `ws://127.0.0.1:${proxy.port}${options.webSocketPath ?? "/v1/live"}`,
      eventStreamUrl: `http://127.0.0.1:${proxy.port}/api/v1/live`,
      credential: () => ({ kind: "key", key: ADMIN_KEY }),
      backoff: { baseMs: 20, capMs: 200 },
      onStatus: (status) => options.statuses?.push(status),
    });
    clients.push(created);
    return created;
  }

  it("subscribes over one WebSocket and, after the network drops, reconnects and resubscribes", async () => {
    const statuses: LiveStatus[] = [];
    const live = client({ statuses });
    const kept: LiveUpdate[] = [];
    const unsubscribe = live.subscribe(["telemetry:live-1"], (update) => kept.push(update));
    await nextUpdate(live, [], fromDevice("live-1"));
    assert.equal(live.currentStatus.transport, "websocket");
    proxy.cut();
    await nextUpdate(live, [], () => live.currentStatus.state === "connecting", 2_000).catch(() => undefined);
    const afterDrop = await nextUpdate(live, [], fromDevice("live-1"));
    assert.ok(afterDrop.telemetry.length > 0, "telemetry flows again without subscribing anew");
    const states = statuses.map((s) => s.state);
    assert.ok(states.indexOf("connecting", states.indexOf("open")) > 0, `it noticed the drop: ${states.join(" → ")}`);
    assert.equal(states.at(-1), "open");
    assert.ok(kept.length > 0);
    unsubscribe();
  });

  it("falls back to Server-Sent Events where the WebSocket never opens", async () => {
    const statuses: LiveStatus[] = [];
    // An upgrade path the hub refuses stands for a proxy that blocks WebSockets.
    const live = client({ webSocketPath: "/v1/blocked", statuses });
    const hold = live.subscribe(["telemetry:live-1"], () => undefined);
    const update = await nextUpdate(live, ["telemetry:live-1"], fromDevice("live-1"));
    assert.ok(update.telemetry.length > 0);
    assert.deepEqual(live.currentStatus, { state: "open", transport: "sse" });
    hold();
    assert.equal(live.currentStatus.state, "closed", "no topics left: the stream is closed");
    assert.ok(
      statuses.some((s) => s.transport === "websocket" && s.state === "connecting"),
      "it tried the WebSocket first",
    );
  });

  it("shares one connection between subscribers and sends only the union of topics", async () => {
    const live = client();
    const both = await Promise.all([
      nextUpdate(live, ["telemetry:live-1"], fromDevice("live-1")),
      nextUpdate(live, ["telemetry:live-1", "presence:*"], fromDevice("live-1")),
    ]);
    assert.equal(both.length, 2);
    // Invalid topics are left out instead of spoiling the subscribe message.
    const stillFlowing = await nextUpdate(live, ["telemetry:", "telemetry:live-1"], fromDevice("live-1"));
    assert.ok(stillFlowing.telemetry.length > 0);
  });
});
