import assert from "node:assert/strict";
import { test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import { startHub } from "../support/hub-fixture.js";
import { ChaosProxy } from "./support/chaos-proxy.js";
import { acked, closeFleet, connectFleet, sleep, stream } from "./support/fleet.js";
import { scaled } from "./support/scale.js";

test("the TCP connections of 10 % of the devices are reset every 2 s while all stream: stored = sent, exactly", async (t) => {
  const devices = scaled(20);
  const rounds = 5 * scaled(1);
  const running = await startHub();
  const proxy = await ChaosProxy.start(Number(new URL(running.url).port));
  let clients: TelehubClient[] = [];
  try {
    clients = await connectFleet(`ws://127.0.0.1:${proxy.port}`, "cut-", devices, (id) => running.provision(id));
    const load = stream(clients, 10);
    for (let round = 1; round <= rounds; round++) {
      await sleep(2_000);
      const cut = proxy.kill(Math.ceil(devices / 10));
      assert.equal(cut, Math.ceil(devices / 10), `round ${round}: ${cut} connections cut (${proxy.open} open)`);
    }
    await sleep(500);
    load.stop();
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const sent = load.sent();
    assert.equal(acked(clients), sent, "every reading was acknowledged in the end");
    assert.equal(await running.hub.telemetry.countValues(), sent * 2, "every reading sent is stored once");
    for (let d = 1; d <= devices; d++) assert.equal(await running.hub.telemetry.countValues(`cut-${d}`), (sent / devices) * 2);
    const reconnects = clients.reduce((sum, c) => sum + c.stats.reconnects, 0);
    assert.ok(reconnects >= proxy.killed, `${reconnects} reconnects for ${proxy.killed} cuts`);
    t.diagnostic(
      `${devices} devices, ${proxy.killed} connections reset in ${rounds} rounds: ${sent} readings sent, ${sent * 2} values stored`,
    );
  } finally {
    await closeFleet(clients);
    await proxy.close();
    await running.dispose();
  }
});
