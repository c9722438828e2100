import { cpus } from "node:os";
import { fmt } from "../output/format.js";
import { type ClusterComparison, type ClusterSide, compareCluster } from "./cluster-comparison.js";
import { missingClusterEngines } from "./cluster-deployment.js";
import { CLUSTER_BENCH_ENV, clusterBenchSettings } from "./cluster-settings.js";
import { progress } from "./progress.js";
import type { Scenario } from "./scenarios.js";
import type { Row } from "./table.js";

/** Issue #21's targets: cluster durable ingest at least half the single hub's on the same machine; command round trip p99 below 50 ms. */
export const CLUSTER_INGEST_TARGET = 0.5;
export const CLUSTER_COMMAND_TARGET_MS = 50;

/** Processes besides the hubs on a cluster's path: NATS, PostgreSQL, HAProxy, influxd and the load generator. */
const OTHER_PROCESSES = 5;

const ms = (p50: number, p99: number): string => `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`;
const ratio = (a: number, b: number): string => fmt(a / b, 3);
const mib = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MiB`;
const hubCount = (hubs: number): string => (hubs === 1 ? "1 hub" : `${fmt(hubs)} hubs`);

/**
 * The cluster (issue #21): the ingest and command round-trip scenarios through HAProxy in front of
 * `TELEHUB_BENCH_CLUSTER_HUBS` hubs on PostgreSQL, NATS JetStream and influxd, beside one hub on
 * influxd in the same run, each with `TELEHUB_BENCH_CLUSTER_DEVICES` devices.
 */
export const cluster: Scenario = {
  name: "cluster",
  async run(s) {
    const c = clusterBenchSettings(s.quick);
    const missing = missingClusterEngines();
    if (missing.length > 0) {
      const why = `not run: ${missing.join(", ")} not installed`;
      progress(`cluster: ${why}`);
      return { json: { cluster: null }, rows: [["cluster: ingest and commands through HAProxy", why, "", ""]] };
    }
    progress(
      `cluster: ${c.devices} devices × ${c.batchesPerDevice} batches of ${c.readingsPerBatch} readings, a single hub on InfluxDB and ` +
        `${hubCount(c.hubs)} behind HAProxy (${CLUSTER_BENCH_ENV.hubs}, ${CLUSTER_BENCH_ENV.devices}), ${c.ingestRounds} alternating rounds ` +
        `each; then ${c.commands} commands a side (after ${c.warmUpCommands} not counted), 4 at a time`,
    );
    const result = await compareCluster(c);
    return { json: { cluster: result }, rows: clusterRows(result, cpus().length) };
  },
};

/** The table's rows; `cores`: the machine's, for the caveat. */
export function clusterRows(r: ClusterComparison, cores: number): Row[] {
  const { single, cluster: many } = r;
  const rounds = (side: ClusterSide): string => side.roundReadingsPerSecond.map((v) => fmt(v)).join(", ");
  const cpu = (side: ClusterSide): string =>
    side.enginesCpuPercent > 0 ? `${fmt(side.hubsCpuPercent)} % + ${fmt(side.enginesCpuPercent)} %` : `${fmt(side.hubsCpuPercent)} %`;
  const stored = (side: ClusterSide): string => `${fmt(side.storedReadings)} / ${fmt(side.sentReadings)}`;
  const commands = (side: ClusterSide): string => `${fmt(side.commands.succeeded)} / ${fmt(side.commands.commands)}`;
  const caveat =
    cores < r.hubs + OTHER_PROCESSES
      ? `${cores} cores shared by ${hubCount(r.hubs)}, NATS, PostgreSQL, HAProxy, influxd and the load: the cluster path's overhead, not scaling`
      : `${cores} cores for ${hubCount(r.hubs)}, NATS, PostgreSQL, HAProxy, influxd and the load: throughput should grow with hubs`;
  return [
    [
      `cluster: durable ingest, ${hubCount(r.hubs)} behind HAProxy, readings/s (median of ${r.ingestRounds}; ack: in JetStream)`,
      fmt(many.readingsPerSecond),
      `${fmt(single.readingsPerSecond)} (one hub on InfluxDB, ack: in its spool; target cluster ≥ ${CLUSTER_INGEST_TARGET}×)`,
      ratio(many.readingsPerSecond, single.readingsPerSecond),
    ],
    ["cluster: caveat", caveat, "", ""],
    ["cluster: ingest readings/s of each round, cluster / single hub", rounds(many), rounds(single), ""],
    ["cluster: ingest ack latency p50 / p99 (median round)", ms(many.ackP50Ms, many.ackP99Ms), ms(single.ackP50Ms, single.ackP99Ms), ""],
    ["cluster: CPU in the median round, hubs (+ NATS and HAProxy)", cpu(many), cpu(single), ""],
    ["cluster: hubs' peak RSS, summed", mib(many.hubsPeakRssBytes), mib(single.hubsPeakRssBytes), ""],
    ["cluster: readings in InfluxDB / acknowledged, after the drain", stored(many), stored(single), ""],
    [
      `cluster: command round trip through HAProxy, ${fmt(r.devices)} devices, p50 / p99`,
      ms(many.commands.p50Ms, many.commands.p99Ms),
      `${ms(single.commands.p50Ms, single.commands.p99Ms)} (one hub; target cluster p99 < ${CLUSTER_COMMAND_TARGET_MS} ms)`,
      ratio(many.commands.p99Ms, CLUSTER_COMMAND_TARGET_MS),
    ],
    ["cluster: commands succeeded / sent", commands(many), commands(single), ""],
  ];
}
