import assert from "node:assert/strict";
import { test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "../support/api-client.js";
import { eventually } from "../support/eventually.js";
import { startHub } from "../support/hub-fixture.js";
import { ChaosProxy } from "./support/chaos-proxy.js";
import { closeFleet, FAST_BACKOFF, sleep } from "./support/fleet.js";

const HOUR = 3_600_000;
/** Device clock minus true time, per device. */
const SKEWS = { "skew-1": 3 * HOUR, "skew-2": -5 * HOUR, "skew-3": 26 * HOUR, "skew-4": 0 } as const;
const READINGS = 40;

test("devices with clocks hours off: readings are stored on the hub's time, also those taken before the first connection and across a connection reset, and the devices are flagged", async (t) => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const proxy = await ChaosProxy.start(Number(new URL(running.url).port));
  const ids = Object.keys(SKEWS) as (keyof typeof SKEWS)[];
  const clients: TelehubClient[] = [];
  try {
    const started = Date.now();
    for (const id of ids) {
      const token = await running.provision(id);
      // Each device's clock is off by its skew; the client stamps readings with it.
      const now = (): number => Date.now() + SKEWS[id];
      clients.push(new TelehubClient({ url: `ws://127.0.0.1:${proxy.port}`, deviceId: id, token, backoff: FAST_BACKOFF, now }));
    }
    // Taken before any welcome measured the offset: the client re-stamps them when it connects.
    // Each 1 ms apart on the device's clock: the store keeps one value per device, metric and time.
    for (let i = 0; i < 5; i++) {
      for (const [d, id] of ids.entries()) clients[d]?.send({ early: i }, Date.now() + SKEWS[id] - 10 + i);
    }
    await Promise.all(clients.map((c) => c.connect()));
    for (let i = 0; i < READINGS; i++) {
      // Stamped by each device's own clock (the client applies the offset it measured at welcome).
      for (const client of clients) client.send({ i });
      if (i === READINGS / 2) {
        proxy.kill(proxy.open);
        await eventually(() => clients.every((c) => c.connected), "the devices reconnected", 30_000);
      }
      await sleep(5);
    }
    await Promise.all(clients.map((c) => c.flush(30_000)));
    const ended = Date.now();
    for (const id of ids) {
      const points = await running.hub.telemetry.raw({ deviceId: id, metric: "i", from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1_000 });
      assert.equal(points.length, READINGS, `${id}: every reading stored once`);
      const outside = points.filter((p) => p.ts < started - 2_000 || p.ts > ended + 2_000);
      assert.deepEqual(outside, [], `${id}: timestamps on the hub's time (skew ${SKEWS[id] / HOUR} h)`);
      const early = await running.hub.telemetry.raw({ deviceId: id, metric: "early", from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1_000 });
      assert.equal(early.length, 5, `${id}: every reading taken before connecting stored once`);
      const earlyOutside = early.filter((p) => p.ts < started - 2_000 || p.ts > ended + 2_000);
      assert.deepEqual(earlyOutside, [], `${id}: readings taken before connecting on the hub's time too`);
      const { body } = await callApi(running.hub, "GET", `/api/v1/devices/${id}`);
      assert.equal(body.clockSkewFlagged, SKEWS[id] !== 0, `${id}: flagged`);
      assert.ok(Math.abs(body.clockSkewMs - SKEWS[id]) < 5_000, `${id}: clockSkewMs ${body.clockSkewMs}`);
    }
    t.diagnostic(
      `skews of +3 h, −5 h, +26 h and 0: ${READINGS} readings each and 5 taken before connecting, all stamped within the test's run on the hub's clock; the three flagged`,
    );
  } finally {
    await closeFleet(clients);
    await proxy.close();
    await running.dispose();
  }
});
