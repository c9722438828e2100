import { TelehubClient } from "@telehub/device-client";
import type { CommandFrame, DecodedFrame, DeviceFrame } from "@telehub/device-client/protocol";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { fmt } from "../output/format.js";
import { deliveryLatencies, type Percentiles, percentilesOf, type SentCommands, sendPingCommands } from "./command-sender.js";
import { BenchHttpAgent, HttpDevice } from "./http-device.js";
import { HTTP_BENCH_HUB_ENV } from "./http-hub-env.js";
import { hubMetrics, metricValue } from "./hub-metrics.js";
import { percentile } from "./percentiles.js";
import { cpuTimeMs } from "./process-stats.js";
import { progress } from "./progress.js";

/** The command round trip's load: a fleet, and the commands sent to it in each round. */
export interface CommandLoad {
  devices: number;
  /** Commands counted in each round. */
  commands: number;
  /** Commands sent before those counted, in each round alike (not counted: JIT, first allocations). */
  warmUpCommands: number;
  /** API calls in flight at once. */
  concurrency: number;
  /** `?wait=` of the HTTP devices' polls, ms (the Node client's `httpWaitMs` default). */
  pollWaitMs: number;
}

/** One transport's side, pooled over its rounds. */
export interface CommandSide {
  /** API call → answer showing `succeeded` (the round trip through the device). */
  roundTrip: Percentiles & { roundP99Ms: number[] };
  /** API call → the device has the `cmd` frame in hand (decoded, about to run it). */
  delivery: Percentiles;
  commands: number;
  succeeded: number;
  /** The hub's CPU while the counted commands ran (median of the rounds), % of one core. */
  hubCpuPercent: number;
  /** HTTP only: requests refused or failed while the devices polled (0 expected). */
  requestErrors: number;
}

/** The command round trip to long-polling HTTP devices against WebSocket devices. */
export interface HttpCommandComparison extends CommandLoad {
  rounds: number;
  http: CommandSide;
  ws: CommandSide;
}

/** The target for the round trip to long-polling devices: p99 < 50 ms. */
export const HTTP_COMMAND_TARGET_MS = 50;

/** A fleet in place on a hub, answering `ping`: what one round measures against. */
interface Fleet {
  deviceIds: string[];
  /** When each command (`args.n`) first reached a device. */
  receivedAt: Map<number, number>;
  /** Requests refused or failed while the fleet ran. */
  errors(): number;
  close(): Promise<void>;
}

/**
 * `rounds` rounds with HTTP devices and as many with WebSocket devices, alternating which goes
 * first, each against a fresh hub and fleet; latencies pooled over each side's rounds.
 */
export async function compareCommandRoundTrip(load: CommandLoad, rounds: number): Promise<HttpCommandComparison> {
  const http: RoundResult[] = [];
  const ws: RoundResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? ["http", "ws"] : ["ws", "http"]) {
      const result = await runRound(load, side === "http" ? startHttpFleet : startWsFleet);
      (side === "http" ? http : ws).push(result);
      progress(
        `http, commands round ${round + 1}/${rounds}, ${side === "http" ? "long-polling HTTP" : "WebSocket"} devices: ` +
          `round trip p99 ${fmt(percentile(result.sent.apiMs, 99), 2)} ms`,
      );
    }
  }
  return { ...load, rounds, http: pool(http), ws: pool(ws) };
}

interface RoundResult {
  sent: SentCommands;
  delivery: number[];
  hubCpuPercent: number;
  requestErrors: number;
}

async function runRound(load: CommandLoad, startFleet: (hub: HubProcess, load: CommandLoad) => Promise<Fleet>): Promise<RoundResult> {
  const hub = await spawnHub({ env: HTTP_BENCH_HUB_ENV });
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet(hub, load);
    await sendPingCommands(hub, fleet.deviceIds, load.warmUpCommands, load.concurrency, -load.warmUpCommands);
    const cpuBefore = cpuTimeMs(hub.pid);
    const startedAt = performance.now();
    const sent = await sendPingCommands(hub, fleet.deviceIds, load.commands, load.concurrency);
    const hubCpuPercent = ((cpuTimeMs(hub.pid) - cpuBefore) / (performance.now() - startedAt)) * 100;
    return { sent, delivery: deliveryLatencies(sent, fleet.receivedAt), hubCpuPercent, requestErrors: fleet.errors() };
  } finally {
    await fleet?.close();
    await hub.stop();
    removeDataDir(hub);
  }
}

function pool(rounds: readonly RoundResult[]): CommandSide {
  const roundTrips = rounds.flatMap((r) => r.sent.apiMs);
  return {
    roundTrip: { ...percentilesOf(roundTrips), roundP99Ms: rounds.map((r) => percentile(r.sent.apiMs, 99)) },
    delivery: percentilesOf(rounds.flatMap((r) => r.delivery)),
    commands: roundTrips.length,
    succeeded: rounds.reduce((sum, r) => sum + r.sent.succeeded, 0),
    hubCpuPercent: percentile(
      rounds.map((r) => r.hubCpuPercent),
      50,
    ),
    requestErrors: rounds.reduce((sum, r) => sum + r.requestErrors, 0),
  };
}

/** Resolves once the hub holds `polls` long polls (its `telehub_http_polls` gauge), checked every 50 ms; fails after 60 s. */
async function everyPollHeld(hub: HubProcess, polls: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const held = metricValue(await hubMetrics(hub), "telehub_http_polls");
    if (held >= polls) return;
    if (performance.now() > deadline) throw new Error(`the hub holds ${held} long polls of ${polls} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Connect `count` at a time (the hub admits 256 handshakes at once in the benchmark). */
async function inWaves<T>(items: readonly T[], task: (item: T) => Promise<unknown>, count = 100): Promise<void> {
  for (let i = 0; i < items.length; i += count) await Promise.all(items.slice(i, i + count).map(task));
}

/** The baseline: real Node clients on the WebSocket transport, answering `ping` (as the commands scenario's fleet). */
async function startWsFleet(hub: HubProcess, load: CommandLoad): Promise<Fleet> {
  const credentials = await provisionDevices(hub.url, hub.adminKey, "cmd-", load.devices);
  const receivedAt = new Map<number, number>();
  const clients = credentials.map(({ deviceId, token }) => {
    const client = new TelehubClient({ url: hub.url, deviceId, token, transports: ["ws"] });
    client.onCommand("ping", (args) => {
      const n = args.n as number;
      if (!receivedAt.has(n)) receivedAt.set(n, performance.now());
      return { pong: n };
    });
    return client;
  });
  await inWaves(clients, (c) => c.connect());
  return {
    deviceIds: credentials.map((c) => c.deviceId),
    receivedAt,
    errors: () => 0,
    close: async () => {
      await Promise.all(clients.map((c) => c.close({ flush: false })));
    },
  };
}

/**
 * HTTP devices driven directly ({@link HttpDevice}), each holding a long poll (`?wait=`) at all
 * times (the fleet is in place when the hub's `telehub_http_polls` gauge counts every device): one request at a time per device; when an answer brings a `cmd`, the device notes the
 * time, and its next request (at once) carries `cmd_ack` and `cmd_result` (the hub answers it
 * with `cmd_done` at once), and the one after is the long poll again. A refused or failed
 * request is counted and the device says `hello` again.
 */
async function startHttpFleet(hub: HubProcess, load: CommandLoad): Promise<Fleet> {
  const credentials = await provisionDevices(hub.url, hub.adminKey, "cmd-", load.devices);
  const agent = new BenchHttpAgent();
  const devices = credentials.map(({ deviceId, token }) => new HttpDevice(hub.url, deviceId, token, agent));
  const receivedAt = new Map<number, number>();
  let errors = 0;
  let running = true;
  const answer = (frames: readonly DecodedFrame[]): DeviceFrame[] => {
    const replies: DeviceFrame[] = [];
    for (const frame of frames) {
      if (frame.t !== "cmd") continue;
      const { id, args } = frame as unknown as CommandFrame;
      const n = args?.n as number;
      if (!receivedAt.has(n)) receivedAt.set(n, performance.now());
      replies.push({ t: "cmd_ack", id }, { t: "cmd_result", id, ok: true, res: { pong: n } });
    }
    return replies;
  };
  const poll = async (device: HttpDevice, first: readonly DecodedFrame[]): Promise<void> => {
    let pending = answer(first);
    while (running) {
      try {
        pending = answer(await device.post(pending, Math.min(load.pollWaitMs, device.welcome?.wait ?? load.pollWaitMs)));
      } catch (error) {
        if (!running) return;
        errors++;
        process.stderr.write(`bench: ${device.deviceId}'s request failed: ${(error as Error).message}\n`);
        pending = answer(await device.hello({ cmds: ["ping"] }));
      }
    }
  };
  const loops: Promise<void>[] = [];
  await inWaves(devices, async (device) => {
    loops.push(poll(device, await device.hello({ cmds: ["ping"] })));
  });
  await everyPollHeld(hub, load.devices);
  return {
    deviceIds: credentials.map((c) => c.deviceId),
    receivedAt,
    errors: () => errors,
    close: async () => {
      running = false;
      // Cuts the held polls; each loop sees `running` false and ends.
      agent.destroy();
      await Promise.allSettled(loops);
    },
  };
}
