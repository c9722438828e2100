import { TelehubClient, type Transport } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BenchHttpAgent } from "./http-device.js";
import { hubMetrics, metricValue } from "./hub-metrics.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs, peakRssBytes } from "./process-stats.js";
import { SAMPLE_TS_BASE, sampleReading } from "./sample-reading.js";

export interface IngestResult {
  devices: number;
  readings: number;
  seconds: number;
  readingsPerSecond: number;
  framesPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  hubCpuPercent: number;
  hubPeakRssBytes: number;
  /** Readings the hub reports stored (its metric), against readings sent. */
  storedReadings: number;
  /** Over HTTP: requests answered in the round (hellos, posts and polls alike). */
  requests?: number;
}

/** Settings the benchmark hub runs with: limits opened up so the device side is not rate-limited. */
export const BENCH_HUB_ENV = {
  TELEHUB_LIMITS_MAX_FRAMES_PER_SECOND: "100000",
  TELEHUB_LIMITS_FRAME_BURST: "100000",
  TELEHUB_GATEWAY_MAX_CONCURRENT_HANDSHAKES: "256",
  // Every bench client connects from loopback: one address, which the per-address caps would throttle.
  TELEHUB_GATEWAY_MAX_HANDSHAKES_PER_ADDRESS: "0",
  TELEHUB_HTTP_MAX_CONNECTIONS_PER_ADDRESS: "0",
  TELEHUB_LOG_LEVEL: "warn",
};

/**
 * Throughput into the embedded store: `devices` real Node clients on loopback each send
 * `batchesPerDevice` batches of `readingsPerBatch` readings as fast as acks allow. The hub
 * runs in its own process. Figures count only acknowledged (durable) readings. The clients use
 * `transport` only (WebSocket unless told).
 */
export async function runIngest(
  devices: number,
  batchesPerDevice: number,
  readingsPerBatch: number,
  env: Record<string, string> = {},
  transport: Transport = "ws",
): Promise<IngestResult> {
  const hub = await spawnHub({ env: { ...BENCH_HUB_ENV, ...env } });
  const clients: TelehubClient[] = [];
  // Over HTTP the clients' requests go through an agent that counts them.
  const agent = transport === "http" ? new BenchHttpAgent() : undefined;
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "bench-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(
        new TelehubClient({
          url: hub.url,
          deviceId,
          token,
          maxBatchReadings: readingsPerBatch,
          batchIntervalMs: 60_000,
          transports: [transport],
          wsOptions: agent ? { agent } : {},
        }),
      );
    }
    await Promise.all(clients.map((c) => c.connect()));
    const latencies: number[] = [];
    for (const client of clients) client.on("ack", () => latencies.push(client.stats.lastAckLatencyMs ?? Number.NaN));

    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    await Promise.all(
      clients.map(async (client, d) => {
        await sendSampleBatches(client, d, batchesPerDevice, readingsPerBatch);
        await client.flush(300_000);
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuMs = cpuTimeMs(hub.pid) - cpuBefore;
    const readings = devices * batchesPerDevice * readingsPerBatch;
    const storedReadings = await readingsStored(hub);
    return {
      devices,
      readings,
      seconds,
      readingsPerSecond: readings / seconds,
      framesPerSecond: (devices * batchesPerDevice) / seconds,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
      hubCpuPercent: (cpuMs / (seconds * 1000)) * 100,
      hubPeakRssBytes: peakRssBytes(hub.pid),
      storedReadings,
      requests: agent?.answered,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    agent?.destroy();
    await hub.stop();
    removeDataDir(hub);
  }
}

/** The hub's count of readings stored (`telehub_readings_stored_total` on `/metrics`). */
export async function readingsStored(hub: { url: string; adminKey: string }): Promise<number> {
  return metricValue(await hubMetrics(hub), "telehub_readings_stored_total");
}

/**
 * Device number `d` sends `batches` batches of `readingsPerBatch` {@link sampleReading}s as fast
 * as its in-flight window lets them go, device timestamps 1 ms apart from `firstTs`
 * (`sampleReading`'s by default), the first reading of index `firstIndex` (a later slice of the
 * same device's readings); resolves when the last is handed to the client, not when it is
 * acknowledged.
 */
export async function sendSampleBatches(
  client: TelehubClient,
  d: number,
  batches: number,
  readingsPerBatch: number,
  firstTs = SAMPLE_TS_BASE,
  firstIndex = 0,
): Promise<void> {
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < readingsPerBatch; i++) {
      const index = firstIndex + b * readingsPerBatch + i;
      client.send(sampleReading(d, index).m, firstTs + index);
    }
    // Let the socket work between batches; the client's in-flight window paces the rest.
    if (b % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
  }
}
