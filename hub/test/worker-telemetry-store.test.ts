import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { StoreWorkerGoneError, WorkerTelemetryStore } from "../src/storage/worker/worker-telemetry-store.js";
import { startInfluxd } from "../src/testing/influxd.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";
import { influxSettings } from "./support/influx-store.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-worker-store-"));
const path = join(dir, "telemetry.db");

async function opened(): Promise<WorkerTelemetryStore> {
  const store = new WorkerTelemetryStore({ kind: "sqlite", path, synchronous: "full", logLevel: "warn" });
  await store.ready();
  return store;
}

telemetryStoreContract("embedded SQLite on a worker thread", {
  open: opened,
  reopen: opened,
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});

test("a database the worker cannot open fails ready() with the reason", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-worker-bad-"));
  const file = join(own, "a-file");
  writeFileSync(file, "");
  const store = new WorkerTelemetryStore({ kind: "sqlite", path: join(file, "telemetry.db"), synchronous: "full", logLevel: "warn" });
  await assert.rejects(store.ready(), /EEXIST|ENOTDIR/);
  rmSync(own, { recursive: true, force: true });
});

test("after the worker is gone every call fails with StoreWorkerGoneError instead of hanging", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-worker-gone-"));
  const store = new WorkerTelemetryStore({ kind: "sqlite", path: join(own, "telemetry.db"), synchronous: "full", logLevel: "warn" });
  await store.ready();
  await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  await assert.rejects(store.countValues(), StoreWorkerGoneError);
  await store.close();
  rmSync(own, { recursive: true, force: true });
});

describe("a hub with storage.worker = true", () => {
  test("embedded store: a device's batch is stored and acknowledged through the worker", async () => {
    const running = await startHub({ storage: { worker: true } });
    try {
      assert.ok(running.hub.telemetry instanceof WorkerTelemetryStore);
      const token = await running.provision("w-1");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "w-1", token });
      if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
      await device.hello();
      device.send({ t: "batch", seq: 1, r: [{ ts: 1_000, m: { a: 1, b: true } }] });
      await device.ackFor(1);
      assert.equal(await running.hub.telemetry.countValues("w-1"), 2);
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("InfluxDB: points reach influxd and the spool's metrics reach the hub's /metrics", { skip: requireInfluxd() }, async () => {
    const influxd = await startInfluxd();
    const running = await startHub({
      storage: { telemetry: "influxdb", worker: true },
      influx: influxSettings(influxd),
      adminKey: TEST_ADMIN_KEY,
    });
    try {
      const token = await running.provision("w-2");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "w-2", token });
      if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
      await device.hello();
      device.send({ t: "batch", seq: 1, r: [{ ts: 1_000, m: { a: 1 } }] });
      await device.ackFor(1);
      const metricsText = async () =>
        (await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).text();
      await eventually(async () => /telehub_influx_write_seconds_count \d*[1-9]/.test(await metricsText()), "a write was timed");
      assert.match(await metricsText(), /telehub_influx_spool_bytes 0\b/);
      assert.equal(await running.hub.telemetry.countValues("w-2"), 1);
      device.close();
    } finally {
      await running.dispose();
      await influxd.remove();
    }
  });
});
