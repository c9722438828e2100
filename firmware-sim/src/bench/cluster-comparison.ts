import { fmt } from "../output/format.js";
import { type BenchDeployment, startCluster, startSingleHub } from "./cluster-deployment.js";
import { ClusterFleet, type ClusterIngestRound } from "./cluster-fleet.js";
import type { ClusterBenchSettings } from "./cluster-settings.js";
import { waitForStored } from "./cluster-stored.js";
import { type Percentiles, percentilesOf, sendPingCommands } from "./command-sender.js";
import { peakRssBytes } from "./process-stats.js";
import { progress } from "./progress.js";

/** One side's figures: its median ingest round, every round's rate, the commands, and what InfluxDB holds at the end. */
export interface ClusterSide extends ClusterIngestRound {
  hubs: number;
  roundReadingsPerSecond: number[];
  /** Readings acknowledged over every round, and the count InfluxDB holds once the side drained (equal: nothing lost, nothing twice). */
  sentReadings: number;
  storedReadings: number;
  /** The hub processes' peak RSS, summed. */
  hubsPeakRssBytes: number;
  commands: Percentiles & { commands: number; succeeded: number };
}

/** The single hub on InfluxDB against a cluster on the same machine, in one run. */
export interface ClusterComparison extends ClusterBenchSettings {
  single: ClusterSide;
  cluster: ClusterSide;
  /** Cluster over single hub durable readings a second (median rounds); target ≥ 0.5. */
  ingestRatio: number;
}

interface Side {
  name: string;
  deployment: BenchDeployment;
  fleet: ClusterFleet;
  rounds: ClusterIngestRound[];
}

/** Start one side and connect its fleet; a fleet that cannot connect stops the side. */
async function startSide(name: string, start: () => Promise<BenchDeployment>, s: ClusterBenchSettings): Promise<Side> {
  progress(`cluster: starting the ${name}, connecting ${s.devices} devices`);
  const deployment = await start();
  try {
    return { name, deployment, fleet: await ClusterFleet.connect(deployment, s.devices, s.readingsPerBatch), rounds: [] };
  } catch (error) {
    await deployment.stop();
    throw error;
  }
}

/**
 * Start the single hub, then a cluster of `s.hubs` (both kept running for the whole comparison), connect
 * `s.devices` devices to each, then `s.ingestRounds` ingest rounds a side, alternating which goes first,
 * each once the side's previous readings are in InfluxDB; then the command round trip on each side;
 * then how many readings each side's InfluxDB holds.
 */
export async function compareCluster(s: ClusterBenchSettings): Promise<ClusterComparison> {
  const sides: Side[] = [];
  // A signal to this process alone would leave the hubs and engines running: stop them first (not
  // the devices: closing them fails the round in flight, which would end the process halfway).
  const interrupted = (signal: NodeJS.Signals): void =>
    void Promise.allSettled(sides.map((side) => side.deployment.stop())).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    sides.push(await startSide("single hub", startSingleHub, s));
    sides.push(await startSide(`cluster of ${s.hubs}`, () => startCluster(s.hubs), s));
    for (let round = 0; round < s.ingestRounds; round++) {
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(round + i) % sides.length] as Side;
        // Both sides drained: a round never shares the machine with the other side's writes to InfluxDB.
        await drained(sides, s);
        const result = await side.fleet.ingestRound(s.batchesPerDevice);
        side.rounds.push(result);
        progress(`cluster, ingest round ${round + 1}/${s.ingestRounds}, ${side.name}: ${fmt(result.readingsPerSecond)} readings/s`);
      }
    }
    const figures: ClusterSide[] = [];
    await drained(sides, s);
    for (const side of sides) {
      const commands = await commandRoundTrip(side, s);
      progress(`cluster, commands, ${side.name}: p50 / p99 ${fmt(commands.p50Ms, 2)} / ${fmt(commands.p99Ms, 2)} ms`);
      figures.push(sideFigures(side, commands, await waitForStored(side.deployment.influxd, side.fleet.sent, s.drainTimeoutMs)));
    }
    const [single, cluster] = figures as [ClusterSide, ClusterSide];
    return { ...s, single, cluster, ingestRatio: cluster.readingsPerSecond / single.readingsPerSecond };
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    await stopSides(sides);
  }
}

/** Wait until every side's InfluxDB holds every reading it acknowledged. */
async function drained(sides: readonly Side[], s: ClusterBenchSettings): Promise<void> {
  for (const side of sides) await waitForStored(side.deployment.influxd, side.fleet.sent, s.drainTimeoutMs);
}

async function stopSides(sides: Side[]): Promise<void> {
  for (const side of sides.splice(0)) {
    await side.fleet.close();
    await side.deployment.stop();
  }
}

/** `s.warmUpCommands` pings not counted, then `s.commands` counted, 4 at a time, to random devices of the side's fleet. */
async function commandRoundTrip(side: Side, s: ClusterBenchSettings): Promise<ClusterSide["commands"]> {
  const ids = side.fleet.deviceIds;
  await sendPingCommands(side.deployment, ids, s.warmUpCommands, 4);
  const sent = await sendPingCommands(side.deployment, ids, s.commands, 4, s.warmUpCommands);
  return { ...percentilesOf(sent.apiMs), commands: s.commands, succeeded: sent.succeeded };
}

function sideFigures(side: Side, commands: ClusterSide["commands"], storedReadings: number): ClusterSide {
  const sorted = [...side.rounds].sort((a, b) => a.readingsPerSecond - b.readingsPerSecond);
  const median = sorted[Math.ceil(sorted.length / 2) - 1] as ClusterIngestRound;
  return {
    ...median,
    hubs: side.deployment.hubs.length,
    roundReadingsPerSecond: side.rounds.map((r) => r.readingsPerSecond),
    sentReadings: side.fleet.sent,
    storedReadings,
    hubsPeakRssBytes: side.deployment.hubs.reduce((sum, hub) => sum + peakRssBytes(hub.pid), 0),
    commands,
  };
}
