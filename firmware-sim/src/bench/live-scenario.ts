import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import type { LiveRound } from "./live-comparison.js";
import { type LiveReceiver, startLiveReceiver } from "./live-receiver-process.js";
import { type SteadyLoad, sendTimedReadings } from "./steady-schedule.js";

/**
 * One round against a fresh hub: `devices` real clients send one single-reading batch a second
 * each (phases spread) for the warm-up and then `seconds`; one dashboard client on the live
 * WebSocket (`/v1/live`, `telemetry:*`), in its own process like a browser, times each reading
 * from its send (a sub-millisecond time carried as the reading's value) to its arrival.
 * Warm-up readings carry `warmUp` instead of `sentAt` and are not counted.
 */
export async function runHubLiveRound(load: SteadyLoad): Promise<LiveRound> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  let receiver: LiveReceiver | undefined;
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "live-", load.devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 1_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    receiver = await startLiveReceiver({ kind: "hub", url: hub.url, key: hub.adminKey });
    const sent = await sendTimedReadings(load, (d, metrics) => (clients[d] as TelehubClient).send(metrics, Date.now()));
    await Promise.all(clients.map((c) => c.flush(30_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { sent, latencies: await receiver.stop() };
  } finally {
    receiver?.kill();
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
