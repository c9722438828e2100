import { runHubLiveRound } from "./live-scenario.js";
import { runMqttLiveRound } from "./mqtt-live.js";
import { runNodeRelayLiveRound } from "./node-relay-live.js";
import { percentile } from "./percentiles.js";
import type { SteadyLoad } from "./steady-schedule.js";

/** What one round of the live scenario saw: readings sent (after warm-up) and each one's latency. */
export interface LiveRound {
  sent: number;
  latencies: number[];
}

/** Device → live subscriber latency, pooled over the rounds. */
export interface LiveLatencyResult {
  devices: number;
  rounds: number;
  received: number;
  sent: number;
  p50Ms: number;
  p99Ms: number;
  /** Each round's own p99, to show the spread. */
  roundP99Ms: number[];
}

/**
 * The hub's figures, the Node floor's (`node-relay.ts`) and, when Mosquitto is installed, the
 * broker's, measured in rotating rounds.
 */
export interface LiveComparison {
  hub: LiveLatencyResult;
  nodeRelay: LiveLatencyResult;
  mosquitto: LiveLatencyResult | undefined;
}

/**
 * Runs `rounds` rounds of the hub, the Node relay and Mosquitto, rotating which goes first, so a
 * noisy spell on a shared machine lands on every side rather than on whichever ran last; each
 * side's latencies are pooled over its rounds.
 */
export async function compareLiveLatency(load: SteadyLoad, rounds: number, mosquitto: string | undefined): Promise<LiveComparison> {
  const hubRounds: LiveRound[] = [];
  const relayRounds: LiveRound[] = [];
  const mqttRounds: LiveRound[] = [];
  const sides = [
    async (): Promise<void> => {
      hubRounds.push(await runHubLiveRound(load));
    },
    async (): Promise<void> => {
      relayRounds.push(await runNodeRelayLiveRound(load));
    },
    async (): Promise<void> => {
      if (mosquitto) mqttRounds.push(await runMqttLiveRound(mosquitto, load));
    },
  ];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < sides.length; i++) await (sides[(round + i) % sides.length] as () => Promise<void>)();
  }
  return {
    hub: pool(load.devices, hubRounds),
    nodeRelay: pool(load.devices, relayRounds),
    mosquitto: mosquitto ? pool(load.devices, mqttRounds) : undefined,
  };
}

function pool(devices: number, rounds: LiveRound[]): LiveLatencyResult {
  const latencies = rounds.flatMap((round) => round.latencies);
  return {
    devices,
    rounds: rounds.length,
    received: latencies.length,
    sent: rounds.reduce((sum, round) => sum + round.sent, 0),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    roundP99Ms: rounds.map((round) => percentile(round.latencies, 99)),
  };
}
