import type { AckFrame, BatchFrame, DecodedFrame } from "@telehub/device-client/protocol";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { fmt } from "../output/format.js";
import { BenchHttpAgent, HttpDevice } from "./http-device.js";
import { HTTP_BENCH_HUB_ENV } from "./http-hub-env.js";
import { type IngestResult, readingsStored, runIngest } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs, peakRssBytes } from "./process-stats.js";
import { progress } from "./progress.js";
import { SAMPLE_TS_BASE, sampleReading } from "./sample-reading.js";
import type { IngestLoad } from "./settings.js";

/** One transport's side: the figures of its median round (by readings a second), and each round's readings a second. */
export interface TransportIngestSide extends IngestResult {
  roundReadingsPerSecond: number[];
}

/** The ingest scenario over HTTP against the same load over WebSocket. */
export interface TransportIngestComparison extends IngestLoad {
  readings: number;
  rounds: number;
  /** Batches one bare HTTP device's request carries (the hub's in-flight limit, `welcome.lim.inflight`). */
  batchesPerRequest: number;
  /** The Node client over HTTP (`transports: ["http"]`). */
  http: TransportIngestSide;
  /** The Node client over WebSocket (`transports: ["ws"]`): the baseline. */
  ws: TransportIngestSide;
  /** Bare HTTP devices ({@link HttpDevice}): one request at a time, no poller. */
  bareHttp: TransportIngestSide;
}

type Side = "http" | "ws" | "bareHttp";
const SIDES: readonly Side[] = ["http", "ws", "bareHttp"];
const SIDE_NAMES: Record<Side, string> = {
  http: "the Node client over HTTP",
  ws: "the Node client over WebSocket",
  bareHttp: "bare HTTP devices",
};

/**
 * `rounds` rounds of each side, rotating which goes first (HTTP, WebSocket, bare HTTP; then
 * WebSocket, bare HTTP, HTTP; …), each against a fresh hub; each side's figures are those of its
 * median round (by readings a second).
 */
export async function compareTransportIngest(load: IngestLoad, rounds: number): Promise<TransportIngestComparison> {
  const results: Record<Side, IngestResult[]> = { http: [], ws: [], bareHttp: [] };
  let batchesPerRequest = Number.NaN;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[(round + i) % SIDES.length] as Side;
      let result: IngestResult;
      if (side === "bareHttp") {
        const bare = await runBareHttpIngest(load);
        batchesPerRequest = bare.batchesPerRequest;
        result = bare;
      } else {
        result = await runIngest(load.devices, load.batchesPerDevice, load.readingsPerBatch, HTTP_BENCH_HUB_ENV, side);
      }
      results[side].push(result);
      progress(`http, ingest round ${round + 1}/${rounds}, ${SIDE_NAMES[side]}: ${fmt(result.readingsPerSecond)} readings/s`);
    }
  }
  return {
    ...load,
    readings: load.devices * load.batchesPerDevice * load.readingsPerBatch,
    rounds,
    batchesPerRequest,
    http: medianRound(results.http),
    ws: medianRound(results.ws),
    bareHttp: medianRound(results.bareHttp),
  };
}

/** The round of median readings a second (nearest rank: a round's own figures, not averages), with every round's rate. */
function medianRound(rounds: readonly IngestResult[]): TransportIngestSide {
  const sorted = [...rounds].sort((a, b) => a.readingsPerSecond - b.readingsPerSecond);
  const median = sorted[Math.ceil(sorted.length / 2) - 1] as IngestResult;
  return { ...median, roundReadingsPerSecond: rounds.map((r) => r.readingsPerSecond) };
}

interface BareHttpIngestResult extends IngestResult {
  batchesPerRequest: number;
}

/**
 * The ingest scenario's load from bare HTTP devices: each says `hello`, then posts its
 * batches `welcome.lim.inflight` at a time (one request in flight per device, `wait` 0), the
 * next request as soon as the answer is in. A request is answered only once every batch in it
 * is settled, so every `ack` counted is durable. An ack's latency is its request's: from the
 * request's start to its answer.
 */
async function runBareHttpIngest(load: IngestLoad): Promise<BareHttpIngestResult> {
  const hub = await spawnHub({ env: HTTP_BENCH_HUB_ENV });
  const agent = new BenchHttpAgent();
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "bench-", load.devices);
    const devices = credentials.map(({ deviceId, token }) => new HttpDevice(hub.url, deviceId, token, agent));
    await Promise.all(devices.map((device) => device.hello()));
    const batchesPerRequest = devices[0]?.welcome?.lim.inflight ?? 16;
    const latencies: number[] = [];

    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    await Promise.all(devices.map((device, d) => postSampleBatches(device, d, load, batchesPerRequest, latencies)));
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuMs = cpuTimeMs(hub.pid) - cpuBefore;
    const readings = load.devices * load.batchesPerDevice * load.readingsPerBatch;
    return {
      devices: load.devices,
      readings,
      seconds,
      readingsPerSecond: readings / seconds,
      framesPerSecond: (load.devices * load.batchesPerDevice) / seconds,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
      hubCpuPercent: (cpuMs / (seconds * 1000)) * 100,
      hubPeakRssBytes: peakRssBytes(hub.pid),
      storedReadings: await readingsStored(hub),
      requests: agent.answered,
      batchesPerRequest,
    };
  } finally {
    agent.destroy();
    await hub.stop();
    removeDataDir(hub);
  }
}

/**
 * Device number `d` posts its batches (the readings and timestamps `sendSampleBatches` sends over
 * WebSocket), `perRequest` to a request; resolves when the last is acknowledged. Anything but an
 * ack for every batch posted (an error frame, a refusal) fails the round: the figure counts only
 * durable readings.
 */
async function postSampleBatches(device: HttpDevice, d: number, load: IngestLoad, perRequest: number, latencies: number[]): Promise<void> {
  const firstSeq = (device.welcome?.seq ?? 0) + 1;
  for (let b = 0; b < load.batchesPerDevice; b += perRequest) {
    const batches: BatchFrame[] = [];
    for (let i = b; i < Math.min(b + perRequest, load.batchesPerDevice); i++)
      batches.push(sampleBatch(d, i, firstSeq + i, load.readingsPerBatch));
    const sentAt = performance.now();
    const answer = await device.post(batches);
    const latency = performance.now() - sentAt;
    const last = batches[batches.length - 1] as BatchFrame;
    if (highestAck(answer) < last.seq)
      throw new Error(`${device.deviceId}: batches up to ${last.seq} posted, answer ${JSON.stringify(answer)}`);
    for (const _ of batches) latencies.push(latency);
  }
}

function sampleBatch(d: number, b: number, seq: number, readingsPerBatch: number): BatchFrame {
  const r = Array.from({ length: readingsPerBatch }, (_, i) => {
    const index = b * readingsPerBatch + i;
    return { ts: SAMPLE_TS_BASE + index, m: sampleReading(d, index).m };
  });
  return { t: "batch", seq, r };
}

/** The highest sequence number acknowledged in an answer (acks are cumulative), or 0; -1 when the answer holds an error. */
function highestAck(frames: readonly DecodedFrame[]): number {
  let seq = 0;
  for (const frame of frames) {
    if (frame.t === "error") return -1;
    if (frame.t === "ack") seq = Math.max(seq, (frame as unknown as AckFrame).seq);
  }
  return seq;
}
