import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import { type HubProcess, removeDataDir, spawnHub } from "../../src/process/spawn-hub.js";
import { SqliteTelemetryStore } from "../../src/storage/sqlite/sqlite-telemetry-store.js";
import { createDevice } from "../support/create-device.js";
import { eventually } from "../support/eventually.js";
import { acked, closeFleet, connectFleet, sleep, stream } from "./support/fleet.js";
import { scaled } from "./support/scale.js";

/** Values in a stopped hub's embedded telemetry store. */
async function storedValues(dataDir: string, deviceId?: string): Promise<number> {
  const store = new SqliteTelemetryStore(join(dataDir, "telemetry.db"));
  try {
    return await store.countValues(deviceId);
  } finally {
    await store.close();
  }
}

test("SIGKILL of the hub process twice under load from real clients, restarts on the same data folder: stored = sent, exactly", async (t) => {
  const devices = scaled(6);
  const hubs: HubProcess[] = [await spawnHub()];
  const first = hubs[0] as HubProcess;
  let clients: TelehubClient[] = [];
  try {
    clients = await connectFleet(first.url, "kill-", devices, (id) => createDevice(first.url, first.adminKey, id));
    const load = stream(clients, 5);
    for (let round = 1; round <= 2; round++) {
      const before = acked(clients);
      await eventually(() => acked(clients) > before + 200 * devices, `round ${round}: the hub acknowledges`, 30_000);
      await (hubs.at(-1) as HubProcess).kill();
      // Readings keep coming while the hub is dead; the clients buffer them.
      await sleep(300);
      hubs.push(await spawnHub({ dataDir: first.dataDir, port: first.port }));
    }
    await sleep(500);
    load.stop();
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const sent = load.sent();
    assert.ok(
      clients.every((c) => c.stats.reconnects >= 2),
      "every client reconnected after each kill",
    );
    assert.equal(acked(clients), sent, "every reading was acknowledged in the end");
    await (hubs.at(-1) as HubProcess).stop();
    assert.equal(await storedValues(first.dataDir), sent * 2, "every reading sent is stored once (2 values each)");
    for (let d = 1; d <= devices; d++) assert.equal(await storedValues(first.dataDir, `kill-${d}`), (sent / devices) * 2);
    t.diagnostic(`${devices} devices, 2 kills: ${sent} readings sent, ${sent * 2} values stored`);
  } finally {
    await closeFleet(clients);
    for (const hub of hubs) await hub.kill();
    removeDataDir(first);
  }
});
