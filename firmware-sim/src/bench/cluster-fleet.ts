import { TelehubClient } from "@telehub/device-client";
import { provisionDevices } from "../hub-api.js";
import type { BenchDeployment } from "./cluster-deployment.js";
import { sendSampleBatches } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs } from "./process-stats.js";
import { SAMPLE_TS_BASE } from "./sample-reading.js";

/** One ingest round on one side. */
export interface ClusterIngestRound {
  readings: number;
  seconds: number;
  /** Readings acknowledged per second, from the first send to the last ack. */
  readingsPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** CPU of the side's hub processes, together, over the round (100 % = one core). */
  hubsCpuPercent: number;
  /** CPU of NATS and HAProxy over the round (0 for the single hub). */
  enginesCpuPercent: number;
}

/**
 * A side's devices: `devices` real clients connected through the side's address (HAProxy for the
 * cluster, so they spread over the hubs), each answering `ping`; they send the ingest rounds and
 * receive the commands.
 */
export class ClusterFleet {
  /** Readings sent (and acknowledged) so far: what InfluxDB must hold once drained. */
  sent = 0;

  private constructor(
    private readonly deployment: BenchDeployment,
    readonly deviceIds: string[],
    private readonly clients: TelehubClient[],
    private readonly readingsPerBatch: number,
  ) {}

  static async connect(deployment: BenchDeployment, devices: number, readingsPerBatch: number): Promise<ClusterFleet> {
    const credentials = await provisionDevices(deployment.url, deployment.adminKey, "bench-", devices);
    const clients = credentials.map(({ deviceId, token }) => {
      const client = new TelehubClient({
        url: deployment.url,
        deviceId,
        token,
        maxBatchReadings: readingsPerBatch,
        batchIntervalMs: 60_000,
      });
      client.onCommand("ping", (args) => ({ pong: args.n ?? null }));
      return client;
    });
    const fleet = new ClusterFleet(
      deployment,
      credentials.map((c) => c.deviceId),
      clients,
      readingsPerBatch,
    );
    try {
      for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  /**
   * Every device sends `batches` batches as fast as its in-flight window allows, timestamps after
   * the previous round's (InfluxDB would merge points with equal timestamps); resolves when every
   * batch is acknowledged.
   */
  async ingestRound(batches: number): Promise<ClusterIngestRound> {
    const perDevice = batches * this.readingsPerBatch;
    const firstTs = SAMPLE_TS_BASE + this.sent / this.clients.length;
    const latencies: number[] = [];
    const onAcks = this.clients.map((client) => {
      const onAck = (): void => void latencies.push(client.stats.lastAckLatencyMs ?? Number.NaN);
      client.on("ack", onAck);
      return onAck;
    });
    const pids = { hubs: this.deployment.hubs.map((hub) => hub.pid), engines: this.deployment.enginePids() };
    const cpu = (list: number[]): number => list.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
    const cpuBefore = { hubs: cpu(pids.hubs), engines: cpu(pids.engines) };
    const startedAt = performance.now();
    try {
      await Promise.all(
        this.clients.map(async (client, d) => {
          await sendSampleBatches(client, d, batches, this.readingsPerBatch, firstTs);
          await client.flush(300_000);
        }),
      );
    } finally {
      for (const [i, client] of this.clients.entries()) client.off("ack", onAcks[i] as () => void);
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const readings = this.clients.length * perDevice;
    this.sent += readings;
    const percent = (ms: number): number => (ms / (seconds * 1000)) * 100;
    return {
      readings,
      seconds,
      readingsPerSecond: readings / seconds,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
      hubsCpuPercent: percent(cpu(pids.hubs) - cpuBefore.hubs),
      enginesCpuPercent: percent(cpu(pids.engines) - cpuBefore.engines),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close({ flush: false })));
  }
}
