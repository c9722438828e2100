import { TelehubClient } from "@telehub/device-client";
import type { RuleDefinition } from "@telehub/hub";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { createRules, whenActive } from "./alarms-hub-api.js";
import { FLEET_LABELS, FLEET_RULES, PROBE_METRIC } from "./alarms-rules.js";
import { hubMetrics, metricValue } from "./hub-metrics.js";
import { BENCH_HUB_ENV, sendSampleBatches } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs } from "./process-stats.js";

/** The interleaved ingest load: per side, `slices` slices in which each of `devices` clients sends `sliceBatches` batches of `readingsPerBatch`. */
export interface SlicedLoad {
  devices: number;
  readingsPerBatch: number;
  sliceBatches: number;
  /** Slices counted per side (one more per side warms up first, not counted). */
  slices: number;
}

/** One side of the comparison over all its counted slices. */
export interface IngestSide {
  /** Acknowledged (durable) readings a second: the side's readings over the time its slices took. */
  readingsPerSecond: number;
  /** The hub's CPU during its slices, % of one core. */
  hubCpuPercent: number;
  sliceReadingsPerSecond: number[];
}

/** How the evaluation of the rules kept up with ingest. */
export interface Evaluation {
  /** Batches evaluated (the hub's `telehub_alarm_evaluation_lag_seconds` count). */
  batches: number;
  /** The histogram bucket within which 99 % of them were evaluated after their ack, ms (from /metrics). */
  lagP99UpToMs: number;
  /** From the probe readings' acks (after the last slice) to every device's probe alarm open, ms. */
  probeMs: number;
}

/** Ingest with {@link FLEET_RULES} against the same load without rules, in one run. */
export interface AlarmIngestComparison {
  devices: number;
  rules: number;
  /** Readings each side acknowledged in its counted slices. */
  readings: number;
  slices: number;
  /** Readings per device and slice. */
  sliceReadings: number;
  withRules: IngestSide & { evaluation: Evaluation };
  withoutRules: IngestSide;
  /** Each slice's pair (run one right after the other): with rules / without. */
  sliceRatios: number[];
  /** `withRules.readingsPerSecond / withoutRules.readingsPerSecond`: the figure compared with {@link INGEST_TARGET_RATIO}. */
  ratio: number;
}

/** The hub's count of batches the alarm rules evaluated (its evaluation lag histogram's). */
const EVALUATED = "telehub_alarm_evaluation_lag_seconds_count";

/** The readings a second the evaluation of the rules may slow ingest to, against no rules: 0.9 (the target). */
export const INGEST_TARGET_RATIO = 0.9;

/** A hub, its fleet, and what its slices added up to. */
interface Side {
  hub: HubProcess;
  clients: TelehubClient[];
  probeRule: string | undefined;
  seconds: number;
  cpuMs: number;
  sliceRates: number[];
  /** Batches sent so far. */
  batches: number;
}

/**
 * Two hubs in one run, one with {@link FLEET_RULES} and one without, each with its own fleet,
 * taking turns: slice by slice, one hub's clients send while the other hub waits, the side that
 * goes first alternating. This machine's speed drifts over tens of seconds (the same hub's CPU
 * time for the same load ranged 8.5–11.8 s between rounds), so rounds run one after the other
 * compared conditions as much as hubs; slices a second long a few hundred ms apart see the same.
 * A slice starts once the other hub is idle (its store's background merging done); a slice of the
 * hub with rules ends once it has evaluated every batch ({@link sendSlice}). Each side's
 * throughput is its readings over the time its own slices took. At the end, a probe reading per
 * device is timed from its ack to every probe alarm open, and the hub's evaluation lag is read.
 */
export async function compareAlarmIngest(load: SlicedLoad): Promise<AlarmIngestComparison> {
  const rules = await openSide(load, FLEET_RULES);
  let none: Side | undefined;
  try {
    none = await openSide(load, []);
    // Device time starts now, as a fleet's clocks would: a reading stamped long ago would have its
    // durations' deadlines long past on the hub's clock, acted on at the next tick.
    const firstTs = Date.now();
    const perSlice = load.sliceBatches * load.readingsPerBatch;
    for (let slice = 0; slice <= load.slices; slice++) {
      const counted = slice > 0;
      for (const side of slice % 2 === 0 ? [rules, none] : [none, rules]) {
        await sendSlice(side, load, firstTs, slice * perSlice, counted);
        // The store merges its log into its tables in the background: that work, left over when the
        // clock stopped, would otherwise run during the other hub's slice.
        await untilIdle(side.hub.pid);
      }
    }
    const probeTs = firstTs + (load.slices + 1) * perSlice;
    await Promise.all(
      rules.clients.map(async (client) => {
        client.send({ [PROBE_METRIC]: 2 }, probeTs);
        await client.flush(300_000);
      }),
    );
    const probesAcked = performance.now();
    const evaluatedAt = await whenActive(rules.hub.url, rules.hub.adminKey, load.devices, 300_000, rules.probeRule);
    const lag = await evaluationLag(rules.hub);
    const readings = load.devices * perSlice * load.slices;
    const withRules = sideFigures(rules, readings);
    const withoutRules = sideFigures(none, readings);
    return {
      devices: load.devices,
      rules: FLEET_RULES.length,
      readings,
      slices: load.slices,
      sliceReadings: perSlice,
      withRules: { ...withRules, evaluation: { ...lag, probeMs: evaluatedAt - probesAcked } },
      withoutRules,
      sliceRatios: withRules.sliceReadingsPerSecond.map((rate, i) => rate / (withoutRules.sliceReadingsPerSecond[i] as number)),
      ratio: withRules.readingsPerSecond / withoutRules.readingsPerSecond,
    };
  } finally {
    await closeSide(rules);
    if (none) await closeSide(none);
  }
}

/** A fresh hub with `rules`, its devices provisioned and connected. */
async function openSide(load: SlicedLoad, rules: readonly RuleDefinition[]): Promise<Side> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const side: Side = { hub, clients: [], probeRule: undefined, seconds: 0, cpuMs: 0, sliceRates: [], batches: 0 };
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "bench-", load.devices, { ...FLEET_LABELS });
    [side.probeRule] = await createRules(hub.url, hub.adminKey, rules);
    for (const { deviceId, token } of credentials) {
      side.clients.push(
        new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: load.readingsPerBatch, batchIntervalMs: 60_000 }),
      );
    }
    await Promise.all(side.clients.map((c) => c.connect()));
    return side;
  } catch (error) {
    await closeSide(side);
    throw error;
  }
}

/**
 * Every client of the side sends its slice's batches; the clock stops at the last ack, and with
 * rules once the hub has evaluated every batch (its evaluation lag histogram counted them all):
 * evaluation runs after the acks, and what it left for later must not be done off the clock.
 */
async function sendSlice(side: Side, load: SlicedLoad, firstTs: number, firstIndex: number, counted: boolean): Promise<void> {
  const cpuBefore = cpuTimeMs(side.hub.pid);
  const startedAt = performance.now();
  await Promise.all(
    side.clients.map(async (client, d) => {
      await sendSampleBatches(client, d, load.sliceBatches, load.readingsPerBatch, firstTs, firstIndex);
      await client.flush(300_000);
    }),
  );
  side.batches += load.devices * load.sliceBatches;
  if (side.probeRule !== undefined) {
    while (!(metricValue(await hubMetrics(side.hub), EVALUATED) >= side.batches)) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - startedAt) / 1000;
  if (!counted) return;
  side.seconds += seconds;
  side.cpuMs += cpuTimeMs(side.hub.pid) - cpuBefore;
  side.sliceRates.push((load.devices * load.sliceBatches * load.readingsPerBatch) / seconds);
}

/** The hub's evaluation lag histogram: how many batches, and the bucket bound under which 99 % of them fall. */
async function evaluationLag(hub: HubProcess): Promise<{ batches: number; lagP99UpToMs: number }> {
  const text = await hubMetrics(hub);
  const buckets = [...text.matchAll(/^telehub_alarm_evaluation_lag_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(([, le, count]) => ({
    le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le),
    count: Number(count),
  }));
  const batches = metricValue(text, EVALUATED);
  const p99 = buckets.find((bucket) => bucket.count >= batches * 0.99);
  return { batches, lagP99UpToMs: (p99?.le ?? Number.NaN) * 1000 };
}

/** Until the process used under 5 % of a core over 100 ms (at most 30 s). */
async function untilIdle(pid: number): Promise<void> {
  const giveUpAt = performance.now() + 30_000;
  for (;;) {
    const before = cpuTimeMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (cpuTimeMs(pid) - before < 5 || performance.now() > giveUpAt) return;
  }
}

function sideFigures(side: Side, readings: number): IngestSide {
  return {
    readingsPerSecond: readings / side.seconds,
    hubCpuPercent: (side.cpuMs / (side.seconds * 1000)) * 100,
    sliceReadingsPerSecond: side.sliceRates,
  };
}

async function closeSide(side: Side): Promise<void> {
  await Promise.all(side.clients.map((c) => c.close({ flush: false })));
  await side.hub.stop();
  removeDataDir(side.hub);
}

/** The median of the slice ratios (for the table: how evenly the slices agree). */
export function medianRatio(ratios: readonly number[]): number {
  return percentile([...ratios], 50);
}
