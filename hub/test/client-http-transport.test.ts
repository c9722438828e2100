import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient, type TelehubClientOptions, type TransportEvent } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { UpgradeGate } from "./support/upgrade-gate.js";

const FAST = { initialMs: 20, maxMs: 200 };
/** Fixed timestamps, one per reading number: a reading stored twice would show as a second point only if it got another ts. */
const T0 = 1_700_000_000_000;

/** The Node client's HTTP transport against the real hub (docs/node-client.md, "Transports"; docs/protocol.md §10). */
describe("the Node client over HTTP against the real hub", () => {
  let running: RunningHub;
  const clients: TelehubClient[] = [];

  async function client(id: string, options: Partial<TelehubClientOptions> = {}): Promise<TelehubClient> {
    const token = await running.provision(id);
    const c = new TelehubClient({
      url: running.url,
      deviceId: id,
      token,
      backoff: FAST,
      transports: ["http"],
      maxBatchReadings: 10,
      ...options,
    });
    clients.push(c);
    return c;
  }

  async function stored(id: string): Promise<number[]> {
    const raw = await running.hub.telemetry.raw({ deviceId: id, metric: "n", from: 0, to: T0 + 1_000_000, limit: 10_000 });
    return raw.map((p) => p.value as number);
  }

  function send(c: TelehubClient, from: number, to: number): void {
    for (let i = from; i < to; i++) c.send({ n: i }, T0 + i);
  }

  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 }, gateway: { http: { maxWaitMs: 2_000 } } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await running.dispose();
  });

  test("streams over HTTP: what was sent is stored, each reading once; the device API says transport http", async () => {
    const c = await client("http-stream-1");
    await c.connect();
    assert.equal(c.transport, "http");
    send(c, 0, 300);
    await c.flush(15_000);
    assert.equal(c.stats.ackedReadings, 300);
    assert.deepEqual(await stored("http-stream-1"), range(0, 300));
    const device = await callApi(running.hub, "GET", "/api/v1/devices/http-stream-1");
    assert.equal(device.body.connected, true);
    assert.equal(device.body.transport, "http");
  });

  test("a command sent while the device is long polling reaches succeeded, through queued, sent, delivered", async () => {
    const c = await client("http-cmd-1", { httpWaitMs: 1_500 });
    c.onCommand("set_point", (args) => ({ applied: args.celsius ?? null }));
    await c.connect();
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/http-cmd-1/commands", { name: "set_point", args: { celsius: 19 } });
    assert.equal(sent.status, 201);
    const done = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}?wait=10000`);
    assert.equal(done.body.state, "succeeded");
    assert.deepEqual(done.body.result, { applied: 19 });
    assert.deepEqual(
      done.body.transitions.map((t: { state: string }) => t.state),
      ["queued", "sent", "delivered", "succeeded"],
    );
  });

  test("a hub restart mid-stream loses nothing and stores nothing twice", async () => {
    const c = await client("http-restart-1", { httpWaitMs: 1_000 });
    await c.connect();
    send(c, 0, 100);
    await c.flush(15_000);
    const port = Number(new URL(running.url).port);
    await running.stop();
    send(c, 100, 200); // buffered while the hub is down
    running = await startHub(
      { port, adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 }, gateway: { http: { maxWaitMs: 2_000 } } },
      running.dataDir,
    );
    send(c, 200, 250);
    await c.flush(20_000);
    assert.equal(c.transport, "http");
    assert.deepEqual(await stored("http-restart-1"), range(0, 250));
  });

  test("behind a proxy that refuses upgrades it falls back to HTTP, and goes back to WebSocket once the upgrade passes; nothing lost or doubled", async () => {
    const gate = await UpgradeGate.start(running.url);
    try {
      const c = await client("http-upgrade-1", { url: gate.url, transports: ["ws", "http"], upgradeRetryMs: 300, httpWaitMs: 1_000 });
      const switches: TransportEvent[] = [];
      c.on("transport", (e) => switches.push(e));
      await c.connect();
      assert.equal(c.transport, "http");
      send(c, 0, 50);
      await c.flush(15_000);
      gate.blocked = false;
      await eventually(() => c.transport === "ws", "the client is back on WebSocket");
      send(c, 50, 100);
      await c.flush(15_000);
      assert.deepEqual(switches, [
        { transport: "http", previous: undefined },
        { transport: "ws", previous: "http" },
      ]);
      assert.deepEqual(await stored("http-upgrade-1"), range(0, 100));
      const device = await callApi(running.hub, "GET", "/api/v1/devices/http-upgrade-1");
      assert.equal(device.body.transport, "ws");
      await c.close();
    } finally {
      await gate.close();
    }
  });
});
