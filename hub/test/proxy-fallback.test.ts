import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TelehubClient, type Transport } from "@telehub/device-client";
import { type HubProcess, removeDataDir, spawnHub } from "../src/process/spawn-hub.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { createDevice } from "./support/create-device.js";
import { type PrivateNginx, requireNginx, startNoUpgradeProxy } from "./support/nginx.js";

// Issue #20, "Tests, with a real proxy in the way": nginx in front of a hub process, passing no
// `Upgrade`. The hub is a process on a fixed port and data folder so that it can be killed and
// started again behind the same proxy.

const FAST_BACKOFF = { initialMs: 50, maxMs: 300 };
const HUB_ENV = { TELEHUB_GATEWAY_HTTP_RESEND_AFTER_MS: "1000" };

/** The answer to a WebSocket upgrade sent through the proxy: its status and headers, or the 101. */
function upgradeThrough(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/device?device=nobody&token=nothing`, {
      agent: false,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers });
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("through a proxy that does not pass Upgrade (nginx)", { skip: requireNginx() }, () => {
  let hub: HubProcess;
  let proxy: PrivateNginx;
  const clients: TelehubClient[] = [];

  before(async () => {
    hub = await spawnHub({ env: HUB_ENV });
    proxy = await startNoUpgradeProxy(hub.url);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close({ flush: false })));
    await proxy?.stop();
    await hub?.kill();
    if (hub) removeDataDir(hub);
  });

  const client = (deviceId: string, token: string): TelehubClient => {
    const made = new TelehubClient({ url: proxy.url, deviceId, token, backoff: FAST_BACKOFF, httpWaitMs: 5_000 });
    clients.push(made);
    return made;
  };

  test("a WebSocket upgrade gets an HTTP status without X-Telehub-Error: the proxy's answer, not the hub's", async () => {
    const answer = await upgradeThrough(proxy.url);
    assert.notEqual(answer.status, 101);
    assert.ok(answer.status >= 400, `status ${answer.status}`);
    assert.equal(answer.headers["x-telehub-error"], undefined, JSON.stringify(answer.headers));
  });

  test("a command sent while the device is polling reaches succeeded; the device shows online over http", async () => {
    const token = await createDevice(hub.url, hub.adminKey, "poller-1");
    const device = client("poller-1", token);
    const ran: unknown[] = [];
    device.onCommand("set_point", (args) => {
      ran.push(args.celsius);
      return { applied: args.celsius ?? null };
    });
    await device.connect();
    assert.equal(device.transport, "http");
    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const response = await fetch(`${hub.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${hub.adminKey}`, ...(body !== undefined && { "content-type": "application/json" }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const view = await api("GET", "/devices/poller-1");
    assert.equal(view.body.connected, true);
    assert.equal(view.body.transport, "http");

    // The poll is held (httpWaitMs 5 s) when the command is queued: it is answered with the cmd.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = await api("POST", "/devices/poller-1/commands?wait=10000", { name: "set_point", args: { celsius: 19.5 } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const done = sent.body.state === "succeeded" ? sent : await api("GET", `/commands/${sent.body.id}?wait=10000`);
    assert.equal(done.body.state, "succeeded");
    assert.deepEqual(done.body.result, { applied: 19.5 });
    assert.deepEqual(
      (done.body.transitions as { state: string }[]).map((t) => t.state),
      ["queued", "sent", "delivered", "succeeded"],
    );
    assert.deepEqual(ran, [19.5], "the handler ran once");
  });

  test("the client falls back to HTTP and streams with stored = sent exactly, across a crash and restart of the hub", async () => {
    const token = await createDevice(hub.url, hub.adminKey, "fallback-1");
    const device = client("fallback-1", token);
    const transports: Transport[] = [];
    const fallbacks: number[] = [];
    device.on("transport", (e) => transports.push(e.transport));
    device.on("disconnected", (e) => {
      if (e.fallback) fallbacks.push(e.httpStatus ?? 0);
    });
    await device.connect();
    assert.equal(device.transport, "http");
    assert.deepEqual(transports, ["http"], "the first session is already over HTTP");
    assert.ok(fallbacks.length >= 1, "a WebSocket attempt ended in a fallback");

    const total = 600;
    const base = 1_700_000_000_000;
    let acknowledged = 0;
    device.on("ack", (e) => {
      acknowledged += e.readings;
    });
    for (let i = 0; i < total; i++) {
      device.send({ n: i }, base + i);
      if (i === 300) {
        // A crash mid-stream: batches are in flight, some acknowledged, some not.
        while (acknowledged < 100) await new Promise((resolve) => setTimeout(resolve, 5));
        await hub.kill();
        hub = await spawnHub({ env: HUB_ENV, dataDir: hub.dataDir, port: hub.port });
      }
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await device.flush(20_000);
    assert.equal(device.transport, "http", "still behind the proxy: HTTP");
    await device.close();

    // Last test of the file: the hub stops for good so that its database can be read directly.
    await hub.stop();
    const store = new SqliteTelemetryStore(join(hub.dataDir, "telemetry.db"));
    try {
      const stored = await store.raw({ deviceId: "fallback-1", metrics: ["n"], from: base, to: base + total, limit: total * 2 });
      const values = stored.map((point) => point.value as number).sort((a, b) => a - b);
      assert.deepEqual(
        values,
        Array.from({ length: total }, (_, i) => i),
      );
      assert.equal(await store.countValues("fallback-1"), total, "nothing stored twice");
    } finally {
      await store.close();
    }
  });
});
