import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { type HubProcess, removeDataDir, SPAWNED_HUB_ADMIN_KEY, spawnHub } from "../src/process/spawn-hub.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { createDevice } from "./support/create-device.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";
import { influxEnv, influxSettings, openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

const FAST_BACKOFF = { initialMs: 50, maxMs: 400 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clients that each send one reading (two values) every `everyMs` until stopped; counts what was sent. */
function stream(clients: TelehubClient[], everyMs: number): { stop: () => void; sent: () => number } {
  let i = 0;
  const timer = setInterval(() => {
    i++;
    for (const [c, client] of clients.entries()) client.send({ v: i, c }, 1_700_000_000_000 + i * 10);
  }, everyMs);
  return { stop: () => clearInterval(timer), sent: () => i * clients.length };
}

const acked = (clients: TelehubClient[]): number => clients.reduce((sum, c) => sum + c.stats.ackedReadings, 0);

/** `count` connected clients `PREFIX1…`, with the tokens `tokenOf` gives. */
async function connectFleet(
  url: string,
  prefix: string,
  count: number,
  tokenOf: (deviceId: string) => Promise<string>,
): Promise<TelehubClient[]> {
  const clients: TelehubClient[] = [];
  for (let d = 1; d <= count; d++) {
    const deviceId = `${prefix}${d}`;
    const token = await tokenOf(deviceId);
    clients.push(new TelehubClient({ url, deviceId, token, maxBatchReadings: 20, batchIntervalMs: 20, backoff: FAST_BACKOFF }));
  }
  await Promise.all(clients.map((c) => c.connect()));
  return clients;
}

describe("InfluxDB outages with real devices (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });

  /** Values stored in InfluxDB, counted through a store of its own (its spool is empty). */
  async function storedValues(deviceId?: string): Promise<number> {
    const { store, dispose } = openInfluxStore(influxd);
    try {
      return await store.countValues(deviceId);
    } finally {
      await store.close();
      dispose();
    }
  }

  test("20 devices stream through a 10 s InfluxDB outage: stored = sent, exactly", async () => {
    const hub = await startHub({ storage: { telemetry: "influxdb" }, influx: influxSettings(influxd), adminKey: SPAWNED_HUB_ADMIN_KEY });
    const latest = (deviceId: string) =>
      fetch(`${hub.url}/api/v1/devices/${deviceId}/latest`, { headers: { authorization: `Bearer ${SPAWNED_HUB_ADMIN_KEY}` } });
    let clients: TelehubClient[] = [];
    try {
      clients = await connectFleet(hub.url, "outage-", 20, (id) => hub.provision(id));
      const load = stream(clients, 10);
      await sleep(1_000);
      await influxd.stop();
      const ackedAtStop = acked(clients);
      const outageEnds = Date.now() + 10_000;
      assert.equal((await latest("outage-1")).status, 503, "reads answer 503 while InfluxDB is down");
      await sleep(outageEnds - Date.now());
      assert.ok(acked(clients) > ackedAtStop + 10_000, "the hub kept acknowledging into its spool during the outage");
      await influxd.start();
      await sleep(1_000);
      load.stop();
      await Promise.all(clients.map((c) => c.flush(30_000)));
      const sent = load.sent();
      assert.equal(acked(clients), sent);
      await eventually(async () => (await storedValues()) >= sent * 2, "the spool has drained", 30_000);
      assert.equal(await storedValues(), sent * 2, "every value sent is stored once");
      for (let d = 1; d <= 20; d++) assert.equal(await storedValues(`outage-${d}`), (sent / 20) * 2);
      const body = (await (await latest("outage-20")).json()) as { data: { metric: string; value: unknown }[] };
      assert.deepEqual(
        body.data.map((v) => [v.metric, v.value]),
        [
          ["c", 19],
          ["v", sent / 20],
        ],
        "the HTTP API reads InfluxDB",
      );
    } finally {
      await Promise.all(clients.map((c) => c.close({ flush: false })));
      await hub.dispose();
    }
  });

  test("the hub is killed (SIGKILL) while its spool holds data, restarted: stored = sent, exactly", async () => {
    const database = "telehub_crash";
    await fetch(`${influxd.url}/query`, { method: "POST", body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }) });
    const env = { ...influxEnv(influxd), TELEHUB_INFLUX_DATABASE: database };
    const first = await spawnHub({ env });
    let second: HubProcess | undefined;
    let clients: TelehubClient[] = [];
    try {
      clients = await connectFleet(first.url, "crash-", 5, (id) => createDevice(first.url, first.adminKey, id));
      const load = stream(clients, 5);
      await sleep(500);
      await influxd.stop();
      await sleep(1_500);
      const metrics = await fetch(`${first.url}/metrics`, { headers: { authorization: `Bearer ${first.adminKey}` } }).then((r) => r.text());
      const spooled = Number(/^telehub_influx_spool_batches (\d+)/m.exec(metrics)?.[1]);
      assert.ok(spooled > 0, `the spool holds data (${spooled} entries)`);
      await first.kill();
      second = await spawnHub({ env, dataDir: first.dataDir, port: first.port });
      await sleep(500);
      await influxd.start();
      await sleep(500);
      load.stop();
      await Promise.all(clients.map((c) => c.flush(30_000)));
      const sent = load.sent();
      const { store, dispose } = openInfluxStore(influxd, { database });
      try {
        await eventually(async () => (await store.countValues()) >= sent * 2, "the spool has drained", 30_000);
        assert.equal(await store.countValues(), sent * 2, "every value sent is stored once");
      } finally {
        await store.close();
        dispose();
      }
    } finally {
      await Promise.all(clients.map((c) => c.close({ flush: false })));
      await first.kill();
      await second?.kill();
      removeDataDir(first);
    }
  });
});
