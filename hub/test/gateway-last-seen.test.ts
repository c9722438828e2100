import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

test("last-seen times of a fleet bigger than one write slice all reach the database, while connected and after closing", async () => {
  const running = await startHub({ gateway: { lastSeenFlushMs: 100 } });
  const devices: RawDevice[] = [];
  try {
    const ids = Array.from({ length: 250 }, (_, i) => `fleet-${i}`);
    for (const id of ids) {
      const device = await RawDevice.connect(running.wsUrl, { deviceId: id, token: await running.provision(id) });
      assert.ok(!isRefusal(device));
      await device.hello();
      devices.push(device);
    }
    const connectedAt = Date.now();
    for (const device of devices) device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { n: 1 } }] });
    for (const device of devices) await device.ackFor(1);
    const stored = async (): Promise<number[]> => Promise.all(ids.map(async (id) => (await running.hub.devices.get(id))?.lastSeenAt ?? 0));
    await eventually(async () => (await stored()).every((at) => at >= connectedAt), "every device's last-seen time was written");

    for (const device of devices) device.close();
    const closedAt = Date.now();
    await eventually(() => running.hub.gateway.connectedIds().length === 0, "all sessions closed");
    const afterClose = await stored();
    assert.ok(afterClose.every((at) => at >= connectedAt && at <= closedAt + 1_000));
  } finally {
    for (const device of devices) device.close();
    await running.dispose();
  }
});
