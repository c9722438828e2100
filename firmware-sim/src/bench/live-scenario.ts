import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { hiResNow } from "./hi-res-clock.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { startLiveReceiver } from "./live-receiver-process.js";
import { percentile } from "./percentiles.js";
import { everySecond } from "./steady-schedule.js";

/** Device → live subscriber latency. */
export interface LiveLatencyResult {
  devices: number;
  received: number;
  sent: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * `devices` real clients send one single-reading batch a second each (phases spread) for
 * `seconds`; one dashboard client on the live WebSocket (`/v1/live`, `telemetry:*`), in its own
 * process like a browser, times each reading from its send (a sub-millisecond time carried as
 * the reading's value) to its arrival.
 */
export async function measureLiveLatency(devices: number, seconds: number): Promise<LiveLatencyResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "live-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 1_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    const receiver = await startLiveReceiver({ kind: "hub", url: hub.url, key: hub.adminKey });
    let sent = 0;
    await everySecond(devices, seconds, (d) => {
      sent++;
      (clients[d] as TelehubClient).send({ sentAt: hiResNow() }, Date.now());
    });
    await Promise.all(clients.map((c) => c.flush(30_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latencies = await receiver.stop();
    return { devices, received: latencies.length, sent, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
