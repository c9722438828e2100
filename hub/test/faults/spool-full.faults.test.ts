import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import { type HubProcess, removeDataDir, SPAWNED_HUB_ADMIN_KEY, spawnHub } from "../../src/process/spawn-hub.js";
import { type PrivateInfluxd, startInfluxd } from "../../src/testing/influxd.js";
import { createDevice } from "../support/create-device.js";
import { eventually } from "../support/eventually.js";
import { startHub } from "../support/hub-fixture.js";
import { influxEnv, influxSettings, influxValues } from "../support/influx-store.js";
import { requireBinary, requireInfluxd } from "../support/require-binary.js";
import { acked, closeFleet, connectFleet, sleep, stream } from "./support/fleet.js";
import { readMetrics, sample } from "./support/hub-metrics.js";
import { scaled } from "./support/scale.js";

const buffered = (clients: readonly TelehubClient[]): number => clients.reduce((sum, c) => sum + c.stats.bufferedReadings, 0);

/** Whether `prlimit` (util-linux) can change another process's limits here. */
function prlimitAvailable(): boolean {
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), "--fsize"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Set RLIMIT_FSIZE (soft) of a running process: past it, writes that grow a file fail (EFBIG), as on a full disk. */
function limitFileSize(pid: number, bytes: number | "unlimited"): void {
  execFileSync("prlimit", ["--pid", String(pid), `--fsize=${bytes}:unlimited`]);
}

/** The largest file in a folder, in bytes. */
function largestFile(dir: string): number {
  return Math.max(...readdirSync(dir).map((name) => statSync(join(dir, name)).size));
}

describe("the InfluxDB spool runs out of room (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });

  /**
   * The common middle of both tests: with InfluxDB down, wait for the hub to refuse, check that
   * it stopped acknowledging while the clients kept the readings, then let `recover` give the
   * room back, and check that everything arrives once.
   */
  async function throughFullSpool(
    t: { diagnostic(message: string): void },
    url: string,
    clients: TelehubClient[],
    recover: () => Promise<void>,
    database?: string,
  ): Promise<void> {
    const load = stream(clients, 20);
    await sleep(500);
    await influxd.kill();
    await eventually(
      async () => sample(await readMetrics(url, SPAWNED_HUB_ADMIN_KEY), "telehub_rejected_total", 'code="TH_STORE_UNAVAILABLE"') > 0,
      "the hub refuses batches: TH_STORE_UNAVAILABLE",
      30_000,
    );
    await sleep(500);
    const ackedWhenFull = acked(clients);
    const bufferedWhenFull = buffered(clients);
    await sleep(2_000);
    assert.equal(acked(clients), ackedWhenFull, "the hub acknowledges nothing while it has no room");
    assert.ok(buffered(clients) > bufferedWhenFull, "the clients keep the readings the hub refused");
    const refusedReadings = buffered(clients);
    await recover();
    await sleep(500);
    load.stop();
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const sent = load.sent();
    assert.equal(acked(clients), sent);
    assert.equal(
      clients.reduce((sum, c) => sum + c.stats.droppedReadings, 0),
      0,
      "no client dropped a reading",
    );
    await eventually(async () => (await influxValues(influxd, { database })) >= sent * 2, "the spool has drained", 30_000);
    assert.equal(await influxValues(influxd, { database }), sent * 2, "every reading sent is stored once");
    t.diagnostic(
      `${clients.length} devices: ${sent} readings sent, ${refusedReadings} waiting in the clients while full, ${sent * 2} values stored`,
    );
  }

  test("at influx.spoolMaxBytes the hub stops acknowledging, the devices keep their readings, and all arrive once InfluxDB is back", async (t) => {
    const hub = await startHub({
      storage: { telemetry: "influxdb" },
      influx: influxSettings(influxd, { spoolMaxBytes: 16_384 }),
      adminKey: SPAWNED_HUB_ADMIN_KEY,
    });
    let clients: TelehubClient[] = [];
    try {
      clients = await connectFleet(hub.url, "bound-", scaled(5), (id) => hub.provision(id));
      await throughFullSpool(t, hub.url, clients, async () => {
        const spooled = sample(await readMetrics(hub.url, SPAWNED_HUB_ADMIN_KEY), "telehub_influx_spool_bytes");
        assert.ok(spooled <= 16_384 * 2, `the spool stayed near its bound (${spooled} bytes)`);
        await influxd.start();
      });
    } finally {
      await closeFleet(clients);
      await hub.dispose();
    }
  });

  test("the spool's disk fills up (writes fail with EFBIG past RLIMIT_FSIZE): the hub stops acknowledging, loses nothing, and recovers when room returns", {
    skip: requireBinary("prlimit", "apt-get install -y util-linux", prlimitAvailable),
  }, async (t) => {
    const database = "telehub_disk_full";
    await fetch(`${influxd.url}/query`, { method: "POST", body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }) });
    const hub: HubProcess = await spawnHub({ env: { ...influxEnv(influxd), TELEHUB_INFLUX_DATABASE: database } });
    let clients: TelehubClient[] = [];
    try {
      clients = await connectFleet(hub.url, "disk-", scaled(5), (id) => createDevice(hub.url, hub.adminKey, id));
      // From here no file of the hub may grow beyond 256 KiB more than the largest is now.
      limitFileSize(hub.pid, largestFile(hub.dataDir) + 262_144);
      await throughFullSpool(
        t,
        hub.url,
        clients,
        async () => {
          limitFileSize(hub.pid, "unlimited");
          await influxd.start();
        },
        database,
      );
      const errors = sample(await readMetrics(hub.url, hub.adminKey), "telehub_store_write_errors_total");
      assert.ok(errors > 0, "the store's commits did fail on the full disk");
    } finally {
      await closeFleet(clients);
      await hub.kill();
      removeDataDir(hub);
    }
  });
});
