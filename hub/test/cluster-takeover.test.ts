import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { ClusterConnection } from "../src/cluster/nats-connection.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { openTestDirectory } from "./support/cluster-directory.js";
import { eventually } from "./support/eventually.js";
import { HttpDevice } from "./support/http-device.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

const skip = requireNats();
const HEARTBEAT_MS = 200;

/** One hub instance of the test cluster: its own NATS connection, directory and telemetry file; the metadata is shared. */
interface Instance {
  id: string;
  running: RunningHub;
  connection: ClusterConnection;
}

/**
 * Hubs as instances of one cluster, in this process: each with a `NatsDeviceDirectory` on the one
 * private NATS server. They share one `meta.db` (the stand-in for the cluster's PostgreSQL: the
 * device, its token and its commands are the same whichever instance is asked); each has its own
 * telemetry file.
 */
describe("devices across instances: newest session wins, commands and disconnects routed to the holder", { skip }, () => {
  let nats: NatsServer;
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-cluster-"));
  const prefix = `tk${process.pid}`;
  const instances: Instance[] = [];
  const devices: (RawDevice | TelehubClient)[] = [];
  let a: Instance;
  let b: Instance;

  async function startInstance(id: string): Promise<Instance> {
    const { connection, directory } = await openTestDirectory(nats.url, prefix, id, HEARTBEAT_MS);
    const running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 50 } }, dataDir, {
      deviceDirectory: directory,
      telemetry: new SqliteTelemetryStore(join(dataDir, `telemetry-${id}.db`)),
    });
    const instance = { id, running, connection };
    instances.push(instance);
    return instance;
  }

  async function rawDevice(instance: Instance, deviceId: string, token: string): Promise<RawDevice> {
    const device = await RawDevice.connect(instance.running.wsUrl, { deviceId, token });
    if (isRefusal(device)) throw new Error(`refused: ${device.code}`);
    devices.push(device);
    await device.hello();
    return device;
  }

  const presence = (instance: Instance, deviceId: string) => instance.running.hub.gateway.presence(deviceId);
  const deviceView = async (instance: Instance, deviceId: string) =>
    (await callApi(instance.running.hub, "GET", `/api/v1/devices/${deviceId}`)).body;

  before(async () => {
    nats = await startNats();
    a = await startInstance("hub-a");
    b = await startInstance("hub-b");
  });
  after(async () => {
    for (const device of devices) {
      if (device instanceof RawDevice) device.close();
      else await device.close({ flush: false });
    }
    for (const instance of instances) {
      await instance.running.stop();
      await instance.connection.close();
    }
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a device connecting to B while connected to A: A's session is closed with 4409, and both instances say it is on B", async () => {
    const token = await a.running.provision("roamer-1");
    const first = await rawDevice(a, "roamer-1", token);
    await eventually(() => presence(b, "roamer-1")?.instanceId === "hub-a", "B sees the device on A");
    assert.equal((await deviceView(b, "roamer-1")).connected, true);

    const second = await rawDevice(b, "roamer-1", token);
    assert.deepEqual(await first.closed(10_000), { code: 4409, reason: "TH_SESSION_REPLACED" });
    await eventually(() => presence(a, "roamer-1")?.instanceId === "hub-b", "A sees the device on B");
    // B holds the session itself: its presence names no other instance.
    assert.equal(presence(b, "roamer-1")?.instanceId, undefined);
    assert.equal(presence(a, "roamer-1")?.connectedAt, presence(b, "roamer-1")?.connectedAt);
    for (const instance of [a, b]) {
      const view = await deviceView(instance, "roamer-1");
      assert.equal(view.connected, true, instance.id);
      assert.ok(instance.running.hub.gateway.connectedIds().includes("roamer-1"), instance.id);
    }
    assert.equal(second.closeCode, undefined);
  });

  test("a command sent through A's API to a device connected to B reaches it and succeeds; so does a configuration", async () => {
    const token = await a.running.provision("far-1");
    const client = new TelehubClient({ url: b.running.url, deviceId: "far-1", token, backoff: { initialMs: 20, maxMs: 200 } });
    devices.push(client);
    client.onCommand("set_point", (args) => ({ applied: args.celsius ?? null }));
    const applied: unknown[] = [];
    client.onConfig((document) => void applied.push(document));
    await client.connect();
    await eventually(() => presence(a, "far-1")?.instanceId === "hub-b", "A sees the device on B");

    const sent = await callApi(a.running.hub, "POST", "/api/v1/devices/far-1/commands", { name: "set_point", args: { celsius: 21.5 } });
    assert.equal(sent.status, 201);
    // B moved it on (in the shared store); A's own events are not told here (no cluster event bus in this test): read it.
    const read = async () => (await callApi(a.running.hub, "GET", `/api/v1/commands/${sent.body.id}`)).body;
    await eventually(async () => (await read()).state === "succeeded", "the command succeeded", 10_000);
    const done = await read();
    assert.deepEqual(done.result, { applied: 21.5 });
    assert.deepEqual(
      done.transitions.map((t: { state: string }) => t.state),
      ["queued", "sent", "delivered", "succeeded"],
    );

    const set = await callApi(a.running.hub, "PUT", "/api/v1/devices/far-1/config", { document: { rate: 5 } });
    assert.equal(set.status, 200);
    await eventually(() => applied.length > 0, "the configuration reached the device on B", 10_000);
    assert.deepEqual(applied.at(-1), { rate: 5 });
  });

  test("revoking a device through A's API closes its session on B", async () => {
    const token = await a.running.provision("revoked-1");
    const device = await rawDevice(b, "revoked-1", token);
    await eventually(() => presence(a, "revoked-1")?.instanceId === "hub-b", "A sees the device on B");
    const revoked = await callApi(a.running.hub, "POST", "/api/v1/devices/revoked-1/revoke");
    assert.equal(revoked.status, 200);
    const closed = await device.closed(10_000);
    assert.equal(closed.reason, "TH_DEVICE_REVOKED");
    await eventually(() => presence(a, "revoked-1") === undefined, "A no longer sees the device");
  });

  test("an HTTP transport session on A taken over by a session on B: its held poll and its sid are answered 409", async () => {
    const token = await a.running.provision("poller-1");
    const device = new HttpDevice(a.running.url, { deviceId: "poller-1", token });
    assert.equal((await device.hello({ ivl: 60_000 })).status, 200);
    await eventually(() => presence(b, "poller-1")?.instanceId === "hub-a", "B sees the device on A");
    assert.equal(presence(b, "poller-1")?.transport, "http");
    const poll = device.post([], { wait: 20_000 });
    const held = async () => /^telehub_http_polls 1$/m.test(await a.running.hub.metrics.registry.metrics());
    await eventually(held, "A holds the poll");
    await rawDevice(b, "poller-1", token);
    const answered = await poll;
    assert.deepEqual([answered.status, answered.code], [409, "TH_SESSION_REPLACED"]);
    const again = await device.post([]);
    assert.deepEqual([again.status, again.code], [409, "TH_SESSION_REPLACED"]);
    await eventually(() => presence(a, "poller-1")?.transport === "ws", "A sees the device's WebSocket on B");
  });

  // Last: B stays "dead" afterwards.
  test("an instance whose heartbeat stops (killed) no longer holds its devices: commands for them wait", async () => {
    const token = await a.running.provision("stranded-1");
    await rawDevice(b, "stranded-1", token);
    await eventually(() => presence(a, "stranded-1")?.instanceId === "hub-b", "A sees the device on B");
    // B's process "dies": its NATS connection goes without a word (no claim released, no heartbeat deleted).
    await b.connection.nats.close();
    await eventually(() => presence(a, "stranded-1") === undefined, "A counts B's device as gone", 10_000);
    assert.equal((await deviceView(a, "stranded-1")).connected, false);
    assert.ok(!a.running.hub.gateway.connectedIds().includes("stranded-1"));
    const sent = await callApi(a.running.hub, "POST", "/api/v1/devices/stranded-1/commands", { name: "ping" });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.state, "queued");
  });
});
