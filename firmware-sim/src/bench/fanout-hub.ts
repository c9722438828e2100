import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { inBatches, provisionDevices } from "../hub-api.js";
import type { FanOutLoad, FanOutRound } from "./fanout-comparison.js";
import { cpuAfter } from "./fanout-cpu.js";
import type { FanOutReceivers } from "./fanout-receivers.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { sendTimedReadings } from "./steady-schedule.js";

/**
 * One fan-out round against a fresh hub: `load.devices` real clients send one single-reading
 * batch a second each (phases spread); every receiver holds one live connection (`/v1/live`,
 * `telemetry:*`) opened with a viewer key of its own, as 50 operators' dashboards would. The keys
 * are created with the hub's admin key and so belong to its admin user, who may hold
 * `live.maxSubscribersPerCaller` connections (20 by default): that limit is raised to the number
 * of receivers here, as the rate limits are for every benchmark hub.
 */
export async function runHubFanOutRound(load: FanOutLoad, receivers: FanOutReceivers): Promise<FanOutRound> {
  const hub = await spawnHub({ env: { ...BENCH_HUB_ENV, TELEHUB_LIVE_MAX_SUBSCRIBERS_PER_CALLER: String(receivers.size) } });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "fanout-", load.devices);
    const keys = await createViewerKeys(hub.url, hub.adminKey, receivers.size);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 1_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    await receivers.subscribe((i) => ({ kind: "hub", url: hub.url, key: keys[i] as string }));
    const cpu = cpuAfter(hub.pid, load.warmUpSeconds * 1_000);
    const sent = await sendTimedReadings(load, (d, metrics) => (clients[d] as TelehubClient).send(metrics, Date.now()));
    const serverCpuPercent = cpu.stop();
    await Promise.all(clients.map((c) => c.flush(30_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { sent, serverCpuPercent, receivers: await receivers.stop() };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}

/** `count` viewer keys (`POST /api/v1/api-keys`), one per dashboard. */
async function createViewerKeys(hubUrl: string, adminKey: string, count: number): Promise<string[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => `dashboard ${i + 1}`),
    async (name) => {
      const response = await fetch(new URL("/api/v1/api-keys", hubUrl), {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name, role: "viewer" }),
      });
      if (response.status !== 201) throw new Error(`creating the key ${name}: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { key: string }).key;
    },
  );
}
