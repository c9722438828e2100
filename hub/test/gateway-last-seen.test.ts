import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

/** More devices than one last-seen write slice (100). */
const FLEET = 250;

/** Connect the fleet, let a tick pass, and have every device send a batch; answers the time before the batches. */
async function activeFleet(running: RunningHub, devices: RawDevice[]): Promise<{ ids: string[]; activeFrom: number }> {
  const ids = Array.from({ length: FLEET }, (_, i) => `fleet-${i}`);
  for (const id of ids) {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: id, token: await running.provision(id) });
    assert.ok(!isRefusal(device));
    await device.hello();
    devices.push(device);
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  const activeFrom = Date.now();
  for (const device of devices) device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { n: 1 } }] });
  for (const device of devices) await device.ackFor(1);
  return { ids, activeFrom };
}

const storedLastSeen = (running: RunningHub, ids: string[]): Promise<number[]> =>
  Promise.all(ids.map(async (id) => (await running.hub.devices.get(id))?.lastSeenAt ?? 0));

test("the periodic write covers a fleet bigger than one write slice while it is connected", async () => {
  const running = await startHub({ gateway: { lastSeenFlushMs: 100 } });
  const devices: RawDevice[] = [];
  try {
    const { ids, activeFrom } = await activeFleet(running, devices);
    await eventually(
      async () => (await storedLastSeen(running, ids)).every((at) => at >= activeFrom),
      "every device's last-seen time was written",
    );
  } finally {
    for (const device of devices) device.close();
    await running.dispose();
  }
});

test("closing sessions write their last-seen times, a fleet bigger than one write slice, without waiting for the periodic write", async () => {
  const running = await startHub({ gateway: { lastSeenFlushMs: 600_000 } });
  const devices: RawDevice[] = [];
  try {
    const { ids, activeFrom } = await activeFleet(running, devices);
    assert.ok(
      (await storedLastSeen(running, ids)).every((at) => at < activeFrom),
      "nothing after the batches was written while connected",
    );
    for (const device of devices) device.close();
    await eventually(
      async () => (await storedLastSeen(running, ids)).every((at) => at >= activeFrom),
      "every closed session's time was written",
    );
  } finally {
    for (const device of devices) device.close();
    await running.dispose();
  }
});
