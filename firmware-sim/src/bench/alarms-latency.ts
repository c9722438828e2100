import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { createRules } from "./alarms-hub-api.js";
import type { AlarmLatencies } from "./alarms-live-receiver.js";
import { type AlarmReceiver, startAlarmReceiver } from "./alarms-receiver-process.js";
import { FLEET_LABELS, FLEET_RULES, PROBE_METRIC } from "./alarms-rules.js";
import { hiResNow } from "./hi-res-clock.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { sampleReading } from "./sample-reading.js";
import { everySecond, type SteadyLoad } from "./steady-schedule.js";

/** Each device's probe crosses the threshold once every this many of its readings (and clears on the next). */
export const PROBE_EVERY = 10;

/** Reading → alarm and reading → telemetry item, pooled over the rounds. */
export interface AlarmLatencyResult {
  devices: number;
  rules: number;
  rounds: number;
  /** Threshold crossings sent in the measured seconds. */
  crossings: number;
  alarm: { received: number; p50Ms: number; p99Ms: number; roundP99Ms: number[] };
  telemetry: { received: number; p50Ms: number; p99Ms: number; roundP99Ms: number[] };
}

/** The target for the reading → alarm p99, ms. */
export const ALARM_LATENCY_TARGET_MS = 50;

/** `rounds` rounds, each against a fresh hub; latencies pooled, each round's p99 kept. */
export async function measureAlarmLatency(load: SteadyLoad, rounds: number): Promise<AlarmLatencyResult> {
  const measured: (AlarmLatencies & { crossings: number })[] = [];
  for (let round = 0; round < rounds; round++) measured.push(await runAlarmLatencyRound(load));
  const pooled = (pick: (round: AlarmLatencies) => number[]): AlarmLatencyResult["alarm"] => {
    const all = measured.flatMap(pick);
    return {
      received: all.length,
      p50Ms: percentile(all, 50),
      p99Ms: percentile(all, 99),
      roundP99Ms: measured.map((round) => percentile(pick(round), 99)),
    };
  };
  return {
    devices: load.devices,
    rules: FLEET_RULES.length,
    rounds,
    crossings: measured.reduce((sum, round) => sum + round.crossings, 0),
    alarm: pooled((round) => round.alarms),
    telemetry: pooled((round) => round.telemetry),
  };
}

/**
 * One round: `load.devices` labelled devices under {@link FLEET_RULES}, each sending one reading
 * a second (the sample metrics and the probe; phases spread over the second). Every
 * {@link PROBE_EVERY}th reading of a device crosses the probe's threshold and the next clears it
 * again, so a tenth of the fleet raises an alarm each second. In the measured seconds a crossing
 * probe's value is its send time; the receiver times the reading's telemetry item (the baseline)
 * and the alarm it raised, on the same live connection.
 */
async function runAlarmLatencyRound(load: SteadyLoad): Promise<AlarmLatencies & { crossings: number }> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  let receiver: AlarmReceiver | undefined;
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "alarm-", load.devices, { ...FLEET_LABELS });
    await createRules(hub.url, hub.adminKey, FLEET_RULES);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 1_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    receiver = await startAlarmReceiver(hub.url, hub.adminKey);
    const measuredFrom = performance.now() + load.warmUpSeconds * 1_000;
    const sent = new Array<number>(load.devices).fill(0);
    let crossings = 0;
    await everySecond(load.devices, load.warmUpSeconds + load.seconds, (d) => {
      const k = sent[d] ?? 0;
      sent[d] = k + 1;
      const crossing = (k + d) % PROBE_EVERY === 0;
      const measuring = performance.now() >= measuredFrom;
      if (crossing && measuring) crossings++;
      const probe = crossing ? (measuring ? hiResNow() : 2) : 0;
      (clients[d] as TelehubClient).send({ ...sampleReading(d, k).m, [PROBE_METRIC]: probe }, Date.now());
    });
    await Promise.all(clients.map((c) => c.flush(30_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { ...(await receiver.stop()), crossings };
  } finally {
    receiver?.kill();
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
