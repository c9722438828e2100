import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { gate } from "./support/gated-store.js";
import { startHub } from "./support/hub-fixture.js";
import { LiveClient } from "./support/live-client.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

/** A hub whose telemetry commits wait at a gate, a dashboard on `telemetry:*`, and a device that sent one batch. */
async function heldBatch(publish: "accepted" | "durable") {
  const dataDir = mkdtempSync(join(tmpdir(), `telehub-live-${publish}-`));
  const store = gate(new SqliteTelemetryStore(join(dataDir, "telemetry.db")));
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { publish } }, dataDir, { telemetry: store });
  const live = await LiveClient.open(running);
  await live.subscribe("telemetry:*");
  const token = await running.provision("held-1");
  const device = await RawDevice.connect(running.wsUrl, { deviceId: "held-1", token });
  if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
  await device.hello();
  device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { level: 7 } }] });
  await eventually(() => store.held === 1, "the batch is held at the store's gate");
  const dispose = async () => {
    live.ws.terminate();
    device.close();
    await running.dispose();
  };
  return { store, live, device, dispose };
}

describe("live.publish: when a reading reaches dashboards", () => {
  test("accepted (default): the dashboard sees the reading while its commit is still pending", async () => {
    const { store, live, device, dispose } = await heldBatch("accepted");
    try {
      await eventually(() => live.values("held-1", "level").includes(7), "the reading reached the dashboard");
      assert.equal(device.frames.filter((f) => f.t === "ack").length, 0, "not acknowledged yet: the commit is pending");
      store.open();
      await device.ackFor(1);
      assert.deepEqual(live.values("held-1", "level"), [7], "published once, not again at the commit");
    } finally {
      await dispose();
    }
  });

  test("durable: the dashboard sees the reading only once it is committed", async () => {
    const { store, live, device, dispose } = await heldBatch("durable");
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(live.values("held-1", "level"), [], "nothing published before the commit");
      store.open();
      await device.ackFor(1);
      await eventually(() => live.values("held-1", "level").includes(7), "published after the commit");
    } finally {
      await dispose();
    }
  });
});
