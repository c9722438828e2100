import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient, type TransportEvent } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { type PrivateNginx, requireNginx, startNoUpgradeProxy } from "./support/nginx.js";

// Issue #20: the client goes back to WebSocket when a direct path appears. Staged with one nginx
// whose address the client keeps: first a set-up that drops `Upgrade`, then, reloaded, the
// documented WebSocket pass-through (as when the network's proxy is fixed or the device moves).

describe("back to WebSocket when the proxy starts passing Upgrade (nginx reload)", { skip: requireNginx() }, () => {
  let running: RunningHub;
  let proxy: PrivateNginx;
  let device: TelehubClient | undefined;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
    proxy = await startNoUpgradeProxy(running.url);
  });
  after(async () => {
    await device?.close({ flush: false });
    await proxy?.stop();
    await running?.dispose();
  });

  test("over HTTP first; after the reload the background attempt switches to a WebSocket, nothing lost or stored twice", async () => {
    const token = await running.provision("mover-1");
    device = new TelehubClient({
      url: proxy.url,
      deviceId: "mover-1",
      token,
      upgradeRetryMs: 300,
      httpWaitMs: 5_000,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const switches: TransportEvent[] = [];
    const stops: string[] = [];
    device.on("transport", (e) => switches.push(e));
    device.on("disconnected", (e) => {
      if (!e.willReconnect) stops.push(`${e.transport} ${e.code} ${e.errorCode}`);
    });
    await device.connect();
    assert.equal(device.transport, "http");

    const base = 1_700_000_000_000;
    let sent = 0;
    const stream = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        device?.send({ n: sent }, base + sent++);
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // Several upgrade attempts fail while the proxy still drops Upgrade: the client stays on HTTP.
    await stream(100);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(device.transport, "http");
    assert.deepEqual(
      switches.map((e) => e.transport),
      ["http"],
    );

    await proxy.reload({ upstream: running.url, mode: "websocket" });
    const streaming = stream(200);
    await eventually(() => device?.transport === "ws", "the client is on a WebSocket again", 10_000);
    await streaming;
    await device.flush(10_000);

    assert.deepEqual(
      switches.map((e) => [e.previous, e.transport]),
      [
        [undefined, "http"],
        ["http", "ws"],
      ],
    );
    assert.deepEqual(stops, [], "the replaced HTTP session's 409 did not stop the client");
    const view = await callApi(running.hub, "GET", "/api/v1/devices/mover-1");
    assert.equal(view.body.connected, true);
    assert.equal(view.body.transport, "ws");
    assert.equal(await running.hub.telemetry.countValues("mover-1"), sent, "every reading stored once");
    const raw = await running.hub.telemetry.raw({ deviceId: "mover-1", metric: "n", from: base, to: base + sent, limit: sent * 2 });
    assert.deepEqual(
      raw.map((p) => p.value),
      Array.from({ length: sent }, (_, i) => i),
    );
  });
});
