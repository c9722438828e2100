import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { HubProcess } from "../src/process/spawn-hub.js";
import { eventually } from "./support/eventually.js";
import { requireHaproxy } from "./support/haproxy.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { influxValues } from "./support/influx-store.js";
import { LiveClient } from "./support/live-client.js";
import { requireNats } from "./support/nats.js";
import { requirePostgres } from "./support/postgres.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";
import { callApiAt, startTestCluster, type TestCluster } from "./support/test-cluster.js";

const FAST = { initialMs: 50, maxMs: 500 };
const T0 = 1_700_000_000_000;
const skip = requirePostgres() || requireNats() || requireInfluxd() || requireHaproxy();

/** Values of metric `n` InfluxDB holds for a device (the cluster's telemetry store), through any instance's API. */
async function storedValues(cluster: TestCluster, url: string, deviceId: string): Promise<number[]> {
  const answer = await callApiAt(
    url,
    cluster.adminKey,
    "GET",
    `/api/v1/devices/${deviceId}/telemetry/raw?metric=n&from=0&to=${T0 + 10_000_000}&limit=10000`,
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body as { data: { value: number }[] }).data.map((p) => p.value);
}

describe("a cluster of three hubs on PostgreSQL, NATS JetStream and InfluxDB behind HAProxy", { skip }, () => {
  let cluster: TestCluster;
  const clients: TelehubClient[] = [];

  before(async () => {
    cluster = await startTestCluster({
      env: {
        TELEHUB_GATEWAY_MAX_HANDSHAKES_PER_ADDRESS: "0",
        TELEHUB_COMMANDS_SWEEP_INTERVAL_MS: "100",
        TELEHUB_CLUSTER_HEARTBEAT_INTERVAL_MS: "500",
        TELEHUB_CLUSTER_LEASE_MS: "1500",
        TELEHUB_CLUSTER_INGEST_ACK_WAIT_MS: "2000",
      },
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await cluster?.stop();
  });

  /** The i-th hub (started with the cluster). */
  function hub(i: number): HubProcess {
    const started = cluster.hubs[i];
    assert.ok(started, `hub ${i}`);
    return started;
  }

  async function register(deviceId: string, url = cluster.url): Promise<string> {
    const created = await callApiAt(url, cluster.adminKey, "POST", "/api/v1/devices", { id: deviceId });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return (created.body as { token: string }).token;
  }

  test("every instance is ready, and says that its NATS connection is one of its checks", async () => {
    for (const each of cluster.hubs) {
      const ready = await fetch(`${each.url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
      assert.equal(ready.status, 200, JSON.stringify(body));
      assert.deepEqual(Object.keys(body.checks).sort(), ["metadata", "nats", "telemetry"]);
      assert.equal(body.checks.nats?.status, "ok");
    }
  });

  test("a device registered through one instance is known to every instance", async () => {
    await register("known-everywhere", hub(0).url);
    for (const each of cluster.hubs) {
      const answer = await callApiAt(each.url, cluster.adminKey, "GET", "/api/v1/devices/known-everywhere");
      assert.equal(answer.status, 200, `${each.url}: ${JSON.stringify(answer.body)}`);
    }
  });

  test("the same device connecting to two instances: the older session is closed with 4409", async () => {
    const token = await register("twice");
    const first = await RawDevice.connect(hub(0).url.replace("http", "ws"), { deviceId: "twice", token });
    if (isRefusal(first)) assert.fail(first.code);
    await first.hello();
    const second = await RawDevice.connect(hub(1).url.replace("http", "ws"), { deviceId: "twice", token });
    if (isRefusal(second)) assert.fail(second.code);
    await second.hello();
    const closed = await first.closed();
    assert.equal(closed.code, 4409);
    second.close();
  });

  test("a device that moves to another instance keeps its metrics' types: a value of another type is refused there too", async () => {
    const token = await register("typed");
    const first = await RawDevice.connect(hub(0).url.replace("http", "ws"), { deviceId: "typed", token });
    if (isRefusal(first)) assert.fail(first.code);
    await first.hello();
    first.send({ t: "batch", seq: 1, r: [{ ts: T0, m: { mode: 1 } }] });
    await first.ackFor(1);
    first.close();
    const moved = await RawDevice.connect(hub(1).url.replace("http", "ws"), { deviceId: "typed", token });
    if (isRefusal(moved)) assert.fail(moved.code);
    assert.equal((await moved.hello()).seq, 1);
    moved.send({ t: "batch", seq: 2, r: [{ ts: T0 + 1, m: { mode: "eco" } }] });
    const refusal = await moved.next("error");
    assert.equal(refusal.code, "TH_TYPE_CONFLICT", JSON.stringify(refusal));
    assert.equal(refusal.seq, 2);
    moved.close();
  });

  test("a command sent through instance A's API reaches the device on instance B and succeeds", async () => {
    const token = await register("commanded");
    const client = new TelehubClient({ url: hub(1).url, deviceId: "commanded", token, backoff: FAST });
    clients.push(client);
    client.onCommand("echo", async (args) => ({ echoed: args }));
    await client.connect();
    const sent = await callApiAt(hub(0).url, cluster.adminKey, "POST", "/api/v1/devices/commanded/commands?wait=10000", {
      name: "echo",
      args: { x: 1 },
    });
    assert.ok(sent.status === 200 || sent.status === 201, JSON.stringify(sent.body));
    assert.equal((sent.body as { state: string }).state, "succeeded", JSON.stringify(sent.body));
  });

  test("a dashboard on instance A sees the live readings of devices connected to B and C", async () => {
    const live = await LiveClient.openAt(hub(0).url.replace("http", "ws"), cluster.adminKey);
    try {
      await live.subscribe("telemetry:*");
      const senders = await Promise.all(
        [hub(1), hub(2)].map(async (on, i) => {
          const id = `live-${i}`;
          const client = new TelehubClient({
            url: on.url,
            deviceId: id,
            token: await register(id),
            backoff: FAST,
            batchIntervalMs: 20,
          });
          clients.push(client);
          await client.connect();
          client.send({ n: 7 + i }, T0);
          await client.flush(10_000);
          return id;
        }),
      );
      await eventually(
        () => senders.every((id, i) => live.values(id, "n").includes(7 + i)),
        "the dashboard on A got both readings",
        10_000,
      );
    } finally {
      live.ws.close();
    }
  });

  test("a command queued for a device whose instance dies is delivered after the device reconnects elsewhere", async () => {
    const token = await register("orphaned");
    const holder = hub(2);
    const client = new TelehubClient({ url: holder.url, deviceId: "orphaned", token, backoff: FAST });
    clients.push(client);
    await client.connect();
    await client.close({ flush: true });
    // Queued while the device is away; then the instance it was on dies.
    const queued = await callApiAt(cluster.url, cluster.adminKey, "POST", "/api/v1/devices/orphaned/commands", {
      name: "echo",
      args: { y: 2 },
    });
    assert.equal(queued.status, 201, JSON.stringify(queued.body));
    // A device that stays on the dying instance and never comes back: a dashboard elsewhere must see it go.
    const stranded = await RawDevice.connect(holder.url.replace("http", "ws"), { deviceId: "stranded", token: await register("stranded") });
    if (isRefusal(stranded)) assert.fail(stranded.code);
    await stranded.hello();
    const live = await LiveClient.openAt(hub(0).url.replace("http", "ws"), cluster.adminKey);
    await live.subscribe("presence:stranded");
    await holder.kill();
    await eventually(
      () => live.updates.some((u) => u.presence.some((p) => p.deviceId === "stranded" && !p.connected)),
      "the dashboard on another instance sees the dead instance's device go offline",
      15_000,
    );
    live.ws.close();
    stranded.close();
    const again = new TelehubClient({ url: cluster.url, deviceId: "orphaned", token, backoff: FAST });
    clients.push(again);
    again.onCommand("echo", async (args) => ({ echoed: args }));
    await again.connect();
    const id = (queued.body as { id: string }).id;
    await eventually(
      async () => (await callApiAt(cluster.url, cluster.adminKey, "GET", `/api/v1/commands/${id}`)).body?.state === "succeeded",
      "the queued command succeeded on another instance",
      15_000,
    );
  });
  test("with three instances running, a rule fires once: one alarm, one notification", async () => {
    const receiver = await startHttpReceiver();
    try {
      const channel = await callApiAt(hub(0).url, cluster.adminKey, "POST", "/api/v1/notification-channels", {
        name: "ops",
        kind: "webhook",
        settings: { url: `${receiver.base}/hook`, secret: "cluster-webhook-secret" },
        severities: ["critical", "major"],
        on: ["raised"],
      });
      assert.equal(channel.status, 201, JSON.stringify(channel.body));
      const token = await register("hot-1");
      const rule = await callApiAt(hub(1).url, cluster.adminKey, "POST", "/api/v1/alarm-rules", {
        name: "Too hot on hot-1",
        scope: { kind: "device", deviceId: "hot-1" },
        condition: { kind: "metric", metric: "temperature", levels: [{ severity: "major", op: "above", value: 50 }] },
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      const client = new TelehubClient({ url: cluster.url, deviceId: "hot-1", token, backoff: FAST, batchIntervalMs: 20 });
      clients.push(client);
      await client.connect();
      // Over the threshold several times, in batches that different instances may evaluate nothing of: one alarm all the same.
      const now = Date.now();
      for (let i = 0; i < 5; i++) client.send({ temperature: 60 + i }, now + i);
      await client.flush(10_000);
      await eventually(() => receiver.received.length >= 1, "the webhook got the notification", 20_000);
      // Time for a second instance to raise and notify too, if one wrongly evaluated as well.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const alarms = await callApiAt(hub(0).url, cluster.adminKey, "GET", "/api/v1/alarms?deviceId=hot-1");
      assert.equal(alarms.status, 200, JSON.stringify(alarms.body));
      assert.equal((alarms.body as { total: number }).total, 1, JSON.stringify(alarms.body));
      assert.equal(receiver.received.length, 1, receiver.received.map((r) => r.body).join("\n"));
    } finally {
      await receiver.close();
    }
  });

  test("300 devices stream through HAProxy while one hub is killed for good: stored = sent, each reading once", async () => {
    const devices = 300;
    const readings = 30;
    const ids = Array.from({ length: devices }, (_, i) => `fleet-${String(i).padStart(3, "0")}`);
    const tokens = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 30) {
      await Promise.all(ids.slice(i, i + 30).map(async (id) => tokens.set(id, await register(id))));
    }
    const fleet = ids.map((id) => {
      const client = new TelehubClient({
        url: cluster.url,
        deviceId: id,
        token: tokens.get(id) as string,
        backoff: FAST,
        maxBatchReadings: 5,
        batchIntervalMs: 50,
        transports: ["ws"],
      });
      clients.push(client);
      return client;
    });
    await Promise.all(fleet.map((c) => c.connect()));
    const victim = hub(1);
    // Where the devices are before the kill: HAProxy spreads them (leastconn), so the victim holds some.
    const before = await cluster.haproxy.servers();
    assert.ok((before.find((s) => s.name === "hub-b")?.currentSessions ?? 0) > 0, JSON.stringify(before));
    for (let i = 0; i < readings; i++) {
      for (const client of fleet) client.send({ n: i }, T0 + i);
      if (i === readings / 2) await victim.kill();
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(fleet.map((c) => c.flush(60_000)));
    for (const client of fleet) assert.equal(client.stats.ackedReadings, readings);
    const expected = Array.from({ length: readings }, (_, i) => i);
    const survivor = hub(0).url;
    // Batches the killed instance took from the stream and never wrote go to another drainer after cluster.ingestAckWaitMs.
    await eventually(
      async () => (await influxValues(cluster.influxd, { database: cluster.influxd.database })) >= devices * readings,
      "every acknowledged reading is in InfluxDB",
      60_000,
    );
    for (const id of ids) assert.deepEqual(await storedValues(cluster, survivor, id), expected, id);
  });
});
