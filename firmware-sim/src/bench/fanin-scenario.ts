import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { cpuTimeMs } from "./process-stats.js";
import { sampleReading } from "./sample-reading.js";

/** Hub fan-in: single-reading frames made durable and acknowledged. */
export interface HubFanInResult {
  frames: number;
  seconds: number;
  framesPerSecond: number;
  hubCpuPercent: number;
}

/**
 * `devices` real clients with batches of one reading each send `frames` readings as fast as
 * the in-flight window lets them; timed until every frame is acknowledged (durable).
 */
export async function measureHubFanIn(devices: number, frames: number): Promise<HubFanInResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "fanin-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 60_000 }));
    }
    await Promise.all(clients.map((c) => c.connect()));
    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    await Promise.all(
      clients.map(async (client, d) => {
        for (let f = 0; f < frames; f++) {
          const reading = sampleReading(d, f);
          client.send(reading.m, reading.ts);
        }
        await client.flush(300_000);
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const acknowledged = clients.reduce((sum, c) => sum + c.stats.ackedBatches, 0);
    return {
      frames: acknowledged,
      seconds,
      framesPerSecond: acknowledged / seconds,
      hubCpuPercent: ((cpuTimeMs(hub.pid) - cpuBefore) / (seconds * 1000)) * 100,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
