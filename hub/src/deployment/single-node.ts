import { LOCAL_CACHES } from "../cluster/cluster-cache-notices.js";
import { type EventBus, InProcessEventBus } from "../events/event-bus.js";
import { LocalDeviceDirectory } from "../gateway/device-directory.js";
import type { LiveFeed, LiveInterest } from "../live/live-hub.js";
import type { AlarmParts, AlarmSide, Deployment, Duty } from "./deployment.js";

/** One hub on its own: an in-process bus, no other instance, every duty here. */
export class SingleNode implements Deployment {
  readonly instanceId = undefined;
  readonly bus: EventBus;
  readonly ownEvents: EventBus;
  readonly directory = new LocalDeviceDirectory();
  readonly checks = {};
  readonly caches = LOCAL_CACHES;
  private readonly duties: Duty[] = [];
  private started = false;

  constructor(onListenerError: (error: unknown) => void) {
    this.bus = new InProcessEventBus(onListenerError);
    this.ownEvents = this.bus;
  }

  async openTelemetry(): Promise<undefined> {
    return undefined;
  }

  async alarmRules(parts: AlarmParts): Promise<AlarmSide> {
    const engine = parts.newEngine();
    return {
      control: engine,
      observer: engine,
      start: async () => {
        // Listening before the engine's first step (its catch-up at start may make some).
        await parts.notifications.start();
        await engine.start();
      },
      stop: async () => {
        // After the last batch settled: its readings are evaluated and every state written.
        await engine.stop();
        await parts.notifications.stop();
      },
    };
  }

  liveFeed(local: LiveFeed, _interest: LiveInterest): LiveFeed {
    return local;
  }

  addDuty(_name: string, duty: Duty): void {
    this.duties.push(duty);
  }

  startDuties(): void {
    this.started = true;
    for (const duty of this.duties) void duty.start();
  }

  async stopDuties(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const duty of this.duties) await duty.stop();
  }

  async close(): Promise<void> {
    await this.stopDuties();
  }
}
