import { TelehubClient } from "@telehub/device-client";
import type { RuleDefinition } from "@telehub/hub";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { createRules, whenActive } from "./alarms-hub-api.js";
import { FLEET_LABELS, FLEET_RULES, PROBE_METRIC } from "./alarms-rules.js";
import { BENCH_HUB_ENV, sendSampleBatches } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs } from "./process-stats.js";

/** The ingest load: `devices` clients, each `batchesPerDevice` batches of `readingsPerBatch` readings, then one probe reading. */
export interface IngestLoad {
  devices: number;
  batchesPerDevice: number;
  readingsPerBatch: number;
}

/** One ingest round against a fresh hub. */
interface IngestRound {
  /** Acknowledged (durable) readings a second: the clock stops at the last ack. */
  readingsPerSecond: number;
  /** With rules: how long the evaluation took to catch up; absent without rules. */
  evaluation?: Evaluation;
  /** The hub's CPU over the round (to the last ack, or to the last alarm with rules), % of one core. */
  hubCpuPercent: number;
}

/** How the evaluation of the rules kept up with ingest. */
export interface Evaluation {
  /** Readings a second acknowledged *and evaluated*: the clock stops when every device's probe alarm is open. */
  readingsPerSecond: number;
  /** From the last ack to the last probe alarm open, ms. */
  tailMs: number;
}

/** One side of the comparison: the median of its rounds, and each round. */
export interface IngestSide {
  readingsPerSecond: number;
  evaluation?: Evaluation;
  hubCpuPercent: number;
  roundReadingsPerSecond: number[];
}

/** Ingest with {@link FLEET_RULES} against the same load without rules. */
export interface AlarmIngestComparison {
  devices: number;
  rules: number;
  /** Readings sent per round (the probe readings included). */
  readings: number;
  rounds: number;
  withRules: IngestSide;
  withoutRules: IngestSide;
}

/** The readings a second the evaluation of the rules may slow ingest to, against no rules: 0.9 (the target). */
export const INGEST_TARGET_RATIO = 0.9;

/**
 * `rounds` rounds with the rules and as many without, alternating which goes first, each
 * against a fresh hub; each side's figures are the median of its rounds.
 */
export async function compareAlarmIngest(load: IngestLoad, rounds: number): Promise<AlarmIngestComparison> {
  const withRules: IngestRound[] = [];
  const withoutRules: IngestRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const rulesFirst = round % 2 === 0;
    for (const rules of rulesFirst ? [true, false] : [false, true]) {
      if (rules) withRules.push(await runIngestRound(load, FLEET_RULES));
      else withoutRules.push(await runIngestRound(load, []));
    }
  }
  return {
    devices: load.devices,
    rules: FLEET_RULES.length,
    readings: load.devices * (load.batchesPerDevice * load.readingsPerBatch + 1),
    rounds,
    withRules: median(withRules),
    withoutRules: median(withoutRules),
  };
}

/**
 * The ingest scenario's load (`sendSampleBatches`), each device's last reading a probe reading
 * that raises an alarm under the rules. The hub evaluates rules after acknowledging, so the acks
 * alone do not show what the rules cost if evaluation falls behind: with rules the round also
 * waits (polling the probe rule's active alarms every 10 ms) until every device's probe alarm is
 * open, i.e. until the evaluation reached each device's last reading.
 */
async function runIngestRound(load: IngestLoad, rules: readonly RuleDefinition[]): Promise<IngestRound> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "bench-", load.devices, { ...FLEET_LABELS });
    const [probeRule] = await createRules(hub.url, hub.adminKey, rules);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: load.readingsPerBatch, batchIntervalMs: 60_000 }));
    }
    await Promise.all(clients.map((c) => c.connect()));
    // Device time starts now, as a fleet's clocks would: a reading stamped long ago would have its
    // durations' deadlines long past on the hub's clock, acted on at the next tick.
    const firstTs = Date.now();
    const probeTs = firstTs + load.batchesPerDevice * load.readingsPerBatch;
    const readings = load.devices * (load.batchesPerDevice * load.readingsPerBatch + 1);

    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    await Promise.all(
      clients.map(async (client, d) => {
        await sendSampleBatches(client, d, load.batchesPerDevice, load.readingsPerBatch, firstTs);
        client.send({ [PROBE_METRIC]: 2 }, probeTs);
        await client.flush(300_000);
      }),
    );
    const ackedAt = performance.now();
    const evaluatedAt = probeRule === undefined ? undefined : await whenActive(hub.url, hub.adminKey, load.devices, 300_000, probeRule);
    const seconds = ((evaluatedAt ?? ackedAt) - startedAt) / 1000;
    return {
      readingsPerSecond: readings / ((ackedAt - startedAt) / 1000),
      evaluation: evaluatedAt === undefined ? undefined : { readingsPerSecond: readings / seconds, tailMs: evaluatedAt - ackedAt },
      hubCpuPercent: ((cpuTimeMs(hub.pid) - cpuBefore) / (seconds * 1000)) * 100,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}

/** The median of each figure over the rounds (nearest rank: a round's own figure, not an average of two). */
function median(rounds: readonly IngestRound[]): IngestSide {
  const of = (values: number[]): number => percentile(values, 50);
  const evaluations = rounds.flatMap((r) => (r.evaluation ? [r.evaluation] : []));
  return {
    readingsPerSecond: of(rounds.map((r) => r.readingsPerSecond)),
    evaluation:
      evaluations.length === 0
        ? undefined
        : { readingsPerSecond: of(evaluations.map((e) => e.readingsPerSecond)), tailMs: of(evaluations.map((e) => e.tailMs)) },
    hubCpuPercent: of(rounds.map((r) => r.hubCpuPercent)),
    roundReadingsPerSecond: rounds.map((r) => r.readingsPerSecond),
  };
}
