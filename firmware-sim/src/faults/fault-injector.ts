import type { Random } from "../profiles/random.js";
import type { SimulatedDevice } from "../run/simulated-device.js";
import type { FaultCounts, FaultPlan } from "./fault-plan.js";
import { malformedFrame } from "./malformed-frame.js";

/** Injects the plan's periodic faults into random devices of the fleet until stopped. */
export class FaultInjector {
  readonly counts: FaultCounts = { disconnects: 0, kills: 0, malformed: 0, bursts: 0 };
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly plan: FaultPlan,
    private readonly devices: readonly SimulatedDevice[],
    private readonly random: Random,
    /** Sends a device's next readings now (the run's schedule then catches up). */
    private readonly burst: (device: SimulatedDevice, readings: number) => void,
  ) {}

  start(): void {
    this.every(this.plan.disconnectEveryMs, () => this.onConnected((d) => d.link.disconnect()) && this.counts.disconnects++);
    this.every(this.plan.killEveryMs, () => this.onConnected((d) => d.link.kill()) && this.counts.kills++);
    this.every(this.plan.malformedEveryMs, () => this.onConnected((d) => d.link.writeRaw(malformedFrame())) && this.counts.malformed++);
    this.every(this.plan.burstEveryMs, () => {
      const device = this.devices[Math.floor(this.random() * this.devices.length)];
      if (!device) return;
      this.burst(device, this.plan.burstSize ?? 100);
      this.counts.bursts++;
    });
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private every(intervalMs: number | undefined, inject: () => unknown): void {
    if (intervalMs !== undefined && intervalMs > 0) this.timers.push(setInterval(inject, intervalMs));
  }

  /** Apply `fault` to a random connected device (only after `welcome`, so no handshake is cut mid-way). */
  private onConnected(fault: (device: SimulatedDevice) => boolean): boolean {
    const connected = this.devices.filter((d) => d.client.connected);
    const device = connected[Math.floor(this.random() * connected.length)];
    return device !== undefined && fault(device);
  }
}
