import { fmt } from "../output/format.js";
import { type AlarmIngestComparison, compareAlarmIngest, INGEST_TARGET_RATIO, medianRatio } from "./alarms-ingest.js";
import { ALARM_LATENCY_TARGET_MS, type AlarmLatencyResult, measureAlarmLatency } from "./alarms-latency.js";
import { type AlarmStormResult, runAlarmStorm } from "./alarms-storm.js";
import { progress } from "./progress.js";
import type { Scenario } from "./scenarios.js";
import { ingestLoad } from "./settings.js";
import type { Row } from "./table.js";

const ms = (p50: number, p99: number): string => `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`;
const seconds = (milliseconds: number): string => `${fmt(milliseconds / 1000, 2)} s`;
const ratio = (a: number, b: number): string => fmt(a / b, 3);

/**
 * Alarms (issue #19): ingest with ten rules per device against the same load without rules;
 * reading → alarm latency on the live channel beside the same readings' telemetry items; a storm
 * of devices going offline at once, until every alarm is open and the digest has arrived.
 */
export const alarms: Scenario = {
  name: "alarms",
  async run(s) {
    const a = s.alarms;
    const { devices, readingsPerBatch } = ingestLoad(s);
    const load = { devices, readingsPerBatch, sliceBatches: a.ingestSliceBatches, slices: a.ingestSlices };
    progress(
      `alarms, ingest: a hub with 10 rules per device and one without take turns, ${a.ingestSlices} slices each ` +
        `(+1 warm-up) of ${devices} clients × ${a.ingestSliceBatches} batches of ${readingsPerBatch} readings`,
    );
    const ingest = await compareAlarmIngest(load);
    progress(
      `alarms, latency: ${a.latencyDevices} devices × 1 reading/s, 10 rules each, ${a.latencyRounds} rounds of ` +
        `${a.latencyWarmUpSeconds} s warm-up + ${a.latencySeconds} s`,
    );
    const latency = await measureAlarmLatency(
      { devices: a.latencyDevices, seconds: a.latencySeconds, warmUpSeconds: a.latencyWarmUpSeconds },
      a.latencyRounds,
    );
    progress(`alarms, storm: ${a.stormDevices} devices go offline at once (offline rule after ${a.offlineAfterMs} ms)`);
    const storm = await runAlarmStorm(a);
    return {
      json: { alarms: { ingest, latency, storm } },
      rows: [...ingestRows(ingest), ...latencyRows(latency), ...stormRows(storm)],
    };
  },
};

function ingestRows(r: AlarmIngestComparison): Row[] {
  const { withRules: on, withoutRules: off } = r;
  const ratios = r.sliceRatios.map((v) => fmt(v, 3)).join(", ");
  return [
    [
      `alarms: ingest with ${r.rules} rules per device, durable readings/s (${r.slices} slices a side, taking turns)`,
      fmt(on.readingsPerSecond),
      `${fmt(off.readingsPerSecond)} (no rules, the same run; target ≥ ${INGEST_TARGET_RATIO}×)`,
      fmt(r.ratio, 3),
    ],
    ["alarms: ingest ratio of each slice pair, rules / none", ratios, `median ${fmt(medianRatio(r.sliceRatios), 3)}`, ""],
    [
      "alarms: ingest: batches evaluated within this long of their ack, 99 % (hub's evaluation lag histogram)",
      `≤ ${fmt(on.evaluation.lagP99UpToMs, 1)} ms`,
      `${fmt(on.evaluation.batches)} batches, ${fmt(r.readings)} readings a side`,
      "",
    ],
    ["alarms: ingest: from the probe readings' acks to every probe alarm open", `${fmt(on.evaluation.probeMs)} ms`, "", ""],
    ["alarms: ingest hub CPU during its slices, rules / none", `${fmt(on.hubCpuPercent)} %`, `${fmt(off.hubCpuPercent)} %`, ""],
  ];
}

function latencyRows(r: AlarmLatencyResult): Row[] {
  const rounds = (p99s: number[]): string => p99s.map((p99) => fmt(p99, 2)).join(", ");
  return [
    [
      `alarms: ${r.devices} devices × 1/s, ${r.rules} rules each: reading → alarm on the live channel p50 / p99`,
      ms(r.alarm.p50Ms, r.alarm.p99Ms),
      `${ms(r.telemetry.p50Ms, r.telemetry.p99Ms)} (the same readings → telemetry item; target alarm p99 < ${ALARM_LATENCY_TARGET_MS} ms)`,
      ratio(r.alarm.p99Ms, ALARM_LATENCY_TARGET_MS),
    ],
    ["alarms: p99 of each round, alarm / telemetry", rounds(r.alarm.roundP99Ms), rounds(r.telemetry.roundP99Ms), ""],
    [
      "alarms: alarms / telemetry items received, of crossings sent",
      `${fmt(r.alarm.received)} / ${fmt(r.telemetry.received)}`,
      fmt(r.crossings),
      "",
    ],
  ];
}

function stormRows(r: AlarmStormResult): Row[] {
  return [
    [
      `alarms: storm, ${r.devices} devices offline at once: every alarm open (API)`,
      seconds(r.allOpenMs),
      `${seconds(r.expectedByMs)} (afterMs ${fmt(r.offlineAfterMs)} + lateGraceMs ${fmt(r.lateGraceMs)} + tickMs ${fmt(r.tickMs)})`,
      ratio(r.allOpenMs, r.expectedByMs),
    ],
    [
      `alarms: storm: the digest arrived (rate limit ${r.rateLimit.count} per ${seconds(r.rateLimit.windowMs)})`,
      seconds(r.digestMs),
      `${seconds(r.firstMessageMs + r.rateLimit.windowMs)} (first message + window)`,
      ratio(r.digestMs, r.firstMessageMs + r.rateLimit.windowMs),
    ],
    [
      "alarms: storm: messages, single + digests (alarms in the digest)",
      `${fmt(r.singleMessages)} + ${fmt(r.digests)} (${fmt(r.digestAlarms)})`,
      `${fmt(r.rateLimit.count)} + 1 (${fmt(r.devices - r.rateLimit.count)}) expected`,
      "",
    ],
  ];
}
