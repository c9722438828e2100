import { fmt } from "../output/format.js";
import { runHubFanOutRound } from "./fanout-hub.js";
import { runMqttFanOutRound } from "./fanout-mqtt.js";
import { FanOutReceivers } from "./fanout-receivers.js";
import type { LiveReceiverFigures } from "./live-receiver-process.js";
import { percentile } from "./percentiles.js";
import { progress } from "./progress.js";
import type { SteadyLoad } from "./steady-schedule.js";

/** The fan-out load: a steady fleet, and `subscribers` dashboards each receiving every reading. */
export interface FanOutLoad extends SteadyLoad {
  subscribers: number;
}

/** What one fan-out round saw: readings sent after the warm-up, the server's CPU, what each receiver measured. */
export interface FanOutRound {
  sent: number;
  /** The hub's or the broker's CPU over the measured seconds, % of one core. */
  serverCpuPercent: number;
  receivers: LiveReceiverFigures[];
}

/** One side of the fan-out comparison, latencies pooled over every receiver and round. */
export interface FanOutResult {
  devices: number;
  subscribers: number;
  rounds: number;
  /** Readings sent after the warm-up, over the rounds. */
  sent: number;
  /** Deliveries timed: at most `sent × subscribers`. */
  received: number;
  p50Ms: number;
  p99Ms: number;
  /** Each round's own p99 (all its receivers pooled), to show the spread. */
  roundP99Ms: number[];
  /** The server's CPU in each round, % of one core. */
  roundCpuPercent: number[];
  /** The median of `roundCpuPercent`. */
  cpuPercent: number;
  /** The receiving processes' CPU, all together, % of one core: the median of the rounds. */
  receiversCpuPercent: number;
  /** Messages each receiver got a second, the mean over receivers: the median of the rounds. */
  messagesPerSecond: number;
}

/** The hub's fan-out and, when Mosquitto is installed, the broker's, measured in alternating rounds. */
export interface FanOutComparison {
  hub: FanOutResult;
  mosquitto: FanOutResult | undefined;
}

/**
 * `rounds` rounds of the hub and of Mosquitto, alternating which goes first, each against a
 * fresh process and the same receivers; each side's latencies are pooled over its rounds and
 * receivers.
 */
export async function compareFanOut(load: FanOutLoad, rounds: number, mosquitto: string | undefined): Promise<FanOutComparison> {
  const receivers = await FanOutReceivers.start(load.subscribers);
  const hubRounds: FanOutRound[] = [];
  const mqttRounds: FanOutRound[] = [];
  try {
    const sides = [
      async (): Promise<void> => {
        hubRounds.push(await runHubFanOutRound(load, receivers));
        progress(`fan-out: hub round ${hubRounds.length}: p99 ${fmt(roundP99(hubRounds.at(-1)), 2)} ms`);
      },
      async (): Promise<void> => {
        if (!mosquitto) return;
        mqttRounds.push(await runMqttFanOutRound(mosquitto, load, receivers));
        progress(`fan-out: Mosquitto round ${mqttRounds.length}: p99 ${fmt(roundP99(mqttRounds.at(-1)), 2)} ms`);
      },
    ];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < sides.length; i++) await (sides[(round + i) % sides.length] as () => Promise<void>)();
    }
  } finally {
    receivers.close();
  }
  return { hub: pool(load, hubRounds), mosquitto: mosquitto ? pool(load, mqttRounds) : undefined };
}

function roundP99(round: FanOutRound | undefined): number {
  return percentile(round?.receivers.flatMap((receiver) => receiver.latencies) ?? [], 99);
}

function pool(load: FanOutLoad, rounds: FanOutRound[]): FanOutResult {
  const perRound = rounds.map((round) => round.receivers.flatMap((receiver) => receiver.latencies));
  const latencies = perRound.flat();
  const cpu = rounds.map((round) => round.serverCpuPercent);
  return {
    devices: load.devices,
    subscribers: load.subscribers,
    rounds: rounds.length,
    sent: rounds.reduce((sum, round) => sum + round.sent, 0),
    received: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    roundP99Ms: perRound.map((round) => percentile(round, 99)),
    roundCpuPercent: cpu,
    cpuPercent: percentile(cpu, 50),
    receiversCpuPercent: percentile(
      rounds.map((round) => round.receivers.reduce((sum, receiver) => sum + receiver.cpuPercent, 0)),
      50,
    ),
    messagesPerSecond: percentile(
      rounds.map((round) => round.receivers.reduce((sum, receiver) => sum + receiver.messagesPerSecond, 0) / round.receivers.length),
      50,
    ),
  };
}
