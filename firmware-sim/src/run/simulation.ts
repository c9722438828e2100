import type { DeviceCredentials } from "../credentials-file.js";
import { FaultInjector } from "../faults/fault-injector.js";
import type { FaultCounts, FaultPlan } from "../faults/fault-plan.js";
import type { Profile } from "../profiles/index.js";
import { deviceRandom, seededRandom } from "../profiles/random.js";
import { type FleetSnapshot, FleetStats } from "./fleet-stats.js";
import { SendSchedule } from "./send-schedule.js";
import { SimulatedDevice, type TransportChoice } from "./simulated-device.js";

/** A run of the simulator, as the `run` command's flags describe it. */
export interface RunSettings {
  hubUrl: string;
  credentials: readonly DeviceCredentials[];
  profile: Profile;
  /** Readings per second per device. */
  rate: number;
  /** Readings per batch. */
  batch: number;
  /** Stop sending after this long … */
  durationMs?: number;
  /** … or after each device has sent this many readings. */
  readingsPerDevice?: number;
  seed: number;
  /** Devices connecting per second; all at once when absent. */
  rampPerSecond?: number;
  faults: FaultPlan;
  /** Number readings (`sim_seq`) so `--verify` can find them. */
  numbered: boolean;
  /** `--transport`: ws, http or auto (ws, then http when a WebSocket cannot pass). */
  transport: TransportChoice;
  /** How long to wait for outstanding acks after sending stops. */
  drainTimeoutMs: number;
  /** Called every `tickMs` with the fleet's state. */
  onTick?: (snapshot: FleetSnapshot) => void;
  tickMs: number;
}

/** What a run did. */
export interface RunOutcome {
  final: FleetSnapshot;
  faults: FaultCounts;
  ackP50Ms: number;
  ackP99Ms: number;
  /** Wall time from the first connect to the end of the drain (ms). */
  elapsedMs: number;
  /** Readings still unacknowledged when the drain gave up. */
  unacknowledgedAfterDrain: number;
  /** Device id → readings it handed to its client. */
  sentByDevice: Map<string, number>;
  /** Device id → readings the hub acknowledged. */
  acknowledgedByDevice: Map<string, number>;
  /** Device id → readings its buffer dropped by overflow. */
  droppedByDevice: Map<string, number>;
  /** Fatal client errors (bad credentials, device deleted …) by device id. */
  errors: Map<string, string>;
  startedAtWallMs: number;
}

/** The send loop's granularity: devices due a reading get it at the next tick. */
const SEND_TICK_MS = 10;

/** Connect the fleet (ramped), send on schedule with faults injected, then drain and close. */
export async function runSimulation(settings: RunSettings): Promise<RunOutcome> {
  const random = seededRandom(settings.seed);
  const skew = settings.faults.clockSkewMs ?? 0;
  const devices = settings.credentials.map(
    (credentials, index) =>
      new SimulatedDevice({
        hubUrl: settings.hubUrl,
        credentials,
        profile: settings.profile,
        index,
        random: deviceRandom(settings.seed, index),
        batch: settings.batch,
        batchIntervalMs: Math.max(20, Math.ceil((settings.batch / settings.rate) * 1000) + 50),
        clockOffsetMs: Math.round((random() * 2 - 1) * skew),
        slowAckMs: settings.faults.slowAckMs ?? 0,
        numbered: settings.numbered,
        transport: settings.transport,
      }),
  );
  const errors = new Map<string, string>();
  for (const device of devices) device.client.on("error", (error) => errors.set(device.deviceId, error.message));

  const startedAtWallMs = Date.now();
  const startedAt = performance.now();
  const stats = new FleetStats(devices, startedAt);
  const startOffsetMs = devices.map((_, i) => (settings.rampPerSecond ? (i / settings.rampPerSecond) * 1000 : 0));
  const started = devices.map(() => false);
  const schedule = new SendSchedule({
    devices: devices.length,
    rate: settings.rate,
    startOffsetMs,
    durationMs: settings.durationMs,
    readingsPerDevice: settings.readingsPerDevice,
  });
  const burst = (device: SimulatedDevice, readings: number): void => device.send(schedule.burst(device.index, device.sent, readings));
  const injector = new FaultInjector(settings.faults, devices, random, burst);
  const tick = settings.onTick;
  const tickTimer = tick ? setInterval(() => tick(stats.snapshot()), settings.tickMs) : undefined;

  await new Promise<void>((resolve) => {
    const sendTimer = setInterval(() => {
      const now = performance.now();
      let finished = true;
      devices.forEach((device, i) => {
        if (!started[i] && now - startedAt >= (startOffsetMs[i] as number)) {
          started[i] = true;
          device.client.connect().catch(() => {});
        }
        const missing = schedule.due(i, now - startedAt) - device.sent;
        if (missing > 0) device.send(missing);
        if (device.sent < schedule.total(i)) finished = false;
      });
      const timeUp = settings.durationMs !== undefined && now - startedAt >= settings.durationMs;
      if (timeUp || (settings.readingsPerDevice !== undefined && finished)) {
        clearInterval(sendTimer);
        resolve();
      }
    }, SEND_TICK_MS);
    injector.start();
  });
  injector.stop();

  await Promise.all(devices.map((d) => d.client.flush(settings.drainTimeoutMs).catch(() => {})));
  if (tickTimer) clearInterval(tickTimer);
  const final = stats.snapshot();
  await Promise.all(devices.map((d) => d.client.close({ flush: false })));
  return {
    final,
    faults: { ...injector.counts },
    ackP50Ms: stats.latency(50),
    ackP99Ms: stats.latency(99),
    elapsedMs: performance.now() - startedAt,
    unacknowledgedAfterDrain: final.pending,
    sentByDevice: new Map(devices.map((d) => [d.deviceId, d.sent])),
    acknowledgedByDevice: new Map(devices.map((d) => [d.deviceId, d.client.stats.ackedReadings])),
    droppedByDevice: new Map(devices.map((d) => [d.deviceId, d.client.stats.droppedReadings])),
    errors,
    startedAtWallMs,
  };
}
