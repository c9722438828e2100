import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import { type HubProcess, removeDataDir, SPAWNED_HUB_ADMIN_KEY, spawnHub } from "../../src/process/spawn-hub.js";
import { type PrivateInfluxd, startInfluxd } from "../../src/testing/influxd.js";
import { createDevice } from "../support/create-device.js";
import { eventually } from "../support/eventually.js";
import { startHub } from "../support/hub-fixture.js";
import { influxEnv, influxSettings, influxValues, openInfluxStore } from "../support/influx-store.js";
import { requireInfluxd } from "../support/require-binary.js";
import { acked, closeFleet, connectFleet, sleep, stream } from "./support/fleet.js";
import { scaled } from "./support/scale.js";

describe("InfluxDB outages with real devices (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });

  test("devices stream through a 10 s InfluxDB crash (SIGKILL of influxd): acks continue from the spool, stored = sent, exactly", async (t) => {
    const devices = scaled(20);
    const hub = await startHub({ storage: { telemetry: "influxdb" }, influx: influxSettings(influxd), adminKey: SPAWNED_HUB_ADMIN_KEY });
    const latest = (deviceId: string) =>
      fetch(`${hub.url}/api/v1/devices/${deviceId}/latest`, { headers: { authorization: `Bearer ${SPAWNED_HUB_ADMIN_KEY}` } });
    let clients: TelehubClient[] = [];
    try {
      clients = await connectFleet(hub.url, "outage-", devices, (id) => hub.provision(id));
      const load = stream(clients, 10);
      await sleep(1_000);
      await influxd.kill();
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
      await eventually(async () => (await influxValues(influxd)) >= sent * 2, "the spool has drained", 30_000);
      assert.equal(await influxValues(influxd), sent * 2, "every value sent is stored once");
      for (let d = 1; d <= devices; d++) assert.equal(await influxValues(influxd, { deviceId: `outage-${d}` }), (sent / devices) * 2);
      t.diagnostic(
        `${devices} devices: ${sent} readings sent, ${acked(clients) - ackedAtStop} acknowledged after influxd was killed, ${sent * 2} values in InfluxDB`,
      );
      const body = (await (await latest(`outage-${devices}`)).json()) as { data: { metric: string; value: unknown }[] };
      assert.deepEqual(
        body.data.map((v) => [v.metric, v.value]),
        [
          ["c", devices - 1],
          ["v", sent / devices],
        ],
        "the HTTP API reads InfluxDB",
      );
    } finally {
      await closeFleet(clients);
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
      await closeFleet(clients);
      await first.kill();
      await second?.kill();
      removeDataDir(first);
    }
  });
});
