import { TelehubClient, type Transport } from "@telehub/device-client";
import type { DeviceCredentials } from "../credentials-file.js";
import { DeviceLink } from "../faults/device-link.js";
import type { DeviceModel, Profile } from "../profiles/index.js";
import type { Random } from "../profiles/random.js";

/** The metric that numbers each device's readings 0, 1, 2 … when `--verify` is on. */
export const SEQUENCE_METRIC = "sim_seq";

/** `--transport`: the WebSocket only, HTTP only, or the client's default (WebSocket, falling back to HTTP). */
export type TransportChoice = "ws" | "http" | "auto";

/** The client's `transports` option for a `--transport` choice. */
export function transportsFor(choice: TransportChoice): Transport[] {
  return choice === "auto" ? ["ws", "http"] : [choice];
}

/** How one simulated device is set up. */
export interface DeviceSetup {
  hubUrl: string;
  credentials: DeviceCredentials;
  profile: Profile;
  index: number;
  random: Random;
  /** Readings per batch. */
  batch: number;
  /** A batch closes this long after its first reading. */
  batchIntervalMs: number;
  /** This device's clock error (ms). */
  clockOffsetMs: number;
  /** See `FaultPlan.slowAckMs`. */
  slowAckMs: number;
  /** Number the readings in `SEQUENCE_METRIC`. */
  numbered: boolean;
  transport: TransportChoice;
}

/** One device of the fleet: the real client, its signal model, its link and its counters. */
export class SimulatedDevice {
  readonly client: TelehubClient;
  readonly link: DeviceLink;
  readonly deviceId: string;
  /** Its place in the fleet (0-based). */
  readonly index: number;
  /** Readings handed to the client so far. */
  sent = 0;
  private readonly model: DeviceModel;
  private readonly numbered: boolean;
  private readonly clock: () => number;
  private lastTimestamp = 0;

  constructor(setup: DeviceSetup) {
    this.deviceId = setup.credentials.deviceId;
    this.index = setup.index;
    this.model = setup.profile.create(setup.random, setup.index);
    this.numbered = setup.numbered;
    this.link = new DeviceLink(/^(https|wss):/.test(setup.hubUrl), setup.slowAckMs);
    this.clock = () => Date.now() + setup.clockOffsetMs;
    this.client = new TelehubClient({
      url: setup.hubUrl,
      deviceId: setup.credentials.deviceId,
      token: setup.credentials.token,
      firmware: "telehub-sim",
      model: setup.profile.model,
      // The console then knows what the device handles, with or without a hub profile.
      commands: setup.profile.commands ?? [],
      maxBatchReadings: setup.batch,
      batchIntervalMs: setup.batchIntervalMs,
      now: this.clock,
      // The link (and so the socket faults) is the WebSocket's: HTTP requests do not go through it.
      wsOptions: { createConnection: this.link.createConnection },
      transports: transportsFor(setup.transport),
    });
    for (const name of setup.profile.commands ?? []) {
      this.client.onCommand(name, (args) => {
        if (!this.model.applyCommand) throw new Error(`${setup.profile.name} devices cannot ${name}`);
        return this.model.applyCommand(name, args);
      });
    }
  }

  /** Hand `count` readings to the client, timestamps strictly increasing on the device clock. */
  send(count: number): void {
    for (let i = 0; i < count; i++) {
      const ts = Math.max(this.clock(), this.lastTimestamp + 1);
      this.lastTimestamp = ts;
      const metrics = this.model.next(ts);
      if (this.numbered) metrics[SEQUENCE_METRIC] = this.sent;
      this.client.send(metrics, ts);
      this.sent++;
    }
  }
}
