import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs, peakRssBytes } from "./process-stats.js";
import { sampleReading } from "./sample-reading.js";

export interface LatencyResult {
  devices: number;
  batches: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  hubCpuPercent: number;
  hubPeakRssBytes: number;
}

/**
 * Ack latency under a steady fleet: `devices` clients each send one batch of
 * `readingsPerBatch` readings a second, phases spread over the second, for `seconds`.
 */
export async function runAckLatency(devices: number, seconds: number, readingsPerBatch: number): Promise<LatencyResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "steady-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: readingsPerBatch, batchIntervalMs: 60_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    const latencies: number[] = [];
    for (const client of clients) client.on("ack", () => latencies.push(client.stats.lastAckLatencyMs ?? Number.NaN));

    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    let batches = 0;
    await new Promise<void>((resolve) => {
      let finished = 0;
      clients.forEach((client, d) => {
        let sent = 0;
        const tick = (): void => {
          // Each reading its own millisecond: a batch with two values of a metric at one ts is
          // refused (docs/protocol.md §3.3).
          const firstTs = Date.now() - readingsPerBatch + 1;
          for (let i = 0; i < readingsPerBatch; i++) {
            const reading = sampleReading(d, sent * readingsPerBatch + i);
            client.send(reading.m, firstTs + i);
          }
          batches++;
          sent++;
          if (sent >= seconds) {
            finished++;
            if (finished === clients.length) resolve();
            return;
          }
          timers.push(setTimeout(tick, 1_000));
        };
        timers.push(setTimeout(tick, (d / clients.length) * 1_000));
      });
    });
    await Promise.all(clients.map((c) => c.flush(30_000)));
    const elapsed = (performance.now() - startedAt) / 1000;
    return {
      devices,
      batches,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
      ackMaxMs: percentile(latencies, 100),
      hubCpuPercent: ((cpuTimeMs(hub.pid) - cpuBefore) / (elapsed * 1000)) * 100,
      hubPeakRssBytes: peakRssBytes(hub.pid),
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
