import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

// A batch that reaches the hub after its close frame is not taken: it could not be acknowledged,
// so the device resends it after it reconnects, perhaps to another instance behind the load
// balancer (with its own store in haproxy-drain.test.ts): stored there and here, it would count twice.

let running: RunningHub;

before(async () => {
  running = await startHub({ adminKey: TEST_ADMIN_KEY });
});
after(async () => {
  await running?.dispose();
});

test("a batch that arrives after the hub's close frame is neither stored nor acknowledged", async () => {
  const token = await running.provision("after-close");
  const device = await RawDevice.connect(running.wsUrl, { deviceId: "after-close", token });
  if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
  await device.hello();
  device.send({ t: "batch", seq: 1, r: [{ ts: 1_700_000_000_000, m: { n: 1 } }] });
  await device.ackFor(1);
  // Sent first, but read by the hub only after it closed the session (the same process: the
  // socket is read in a later turn of the event loop).
  device.send({ t: "batch", seq: 2, r: [{ ts: 1_700_000_000_001, m: { n: 2 } }] });
  assert.equal(running.hub.gateway.disconnect("after-close", "TH_HUB_STOPPING"), true);
  const closed = await device.closed();
  assert.equal(closed.code, 1001);
  await running.hub.gateway.settled("after-close");
  assert.deepEqual(
    device.frames.filter((frame) => frame.t === "ack").map((frame) => frame.seq),
    [1],
    "batch 2 is not acknowledged",
  );
  assert.equal(await running.hub.telemetry.countValues("after-close"), 1);
});
