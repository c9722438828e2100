import type { AlarmEngine } from "../alarms/alarm-engine.js";
import type { AlarmControl } from "../alarms/alarm-service.js";
import type { ReadingObserver } from "../alarms/reading-observer.js";
import type { AlarmRule } from "../alarms/rule.js";
import type { SharedCaches } from "../cluster/cluster-cache-notices.js";
import type { EventBus } from "../events/event-bus.js";
import type { DeviceDirectory } from "../gateway/device-directory.js";
import type { LiveFeed, LiveInterest } from "../live/live-hub.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";

/** Work that must run once for the whole deployment (the command sweeper), started and stopped as its lease comes and goes. */
export interface Duty {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** What the hub builds for its alarm rules; the deployment decides where they run. */
export interface AlarmParts {
  /** A new engine with its own recorder (a cluster makes one each time this instance takes the alarm duty). */
  newEngine: () => AlarmEngine;
  /** The notification service (listening to `ownEvents`). */
  notifications: {
    start(): Promise<void>;
    stop(): Promise<void>;
    loadChannels(): Promise<void>;
    startSending(): Promise<void>;
    stopSending(): Promise<void>;
  };
  /** Whether a device is connected to this hub (a cluster: to any live instance). */
  isConnected: (deviceId: string) => boolean;
  /** Every alarm rule (a cluster instance sends readings to the rules only while some rule looks at them). */
  rules: () => Promise<AlarmRule[]>;
}

/** The alarm rules as the rest of the hub sees them. */
export interface AlarmSide {
  /** What the API's `AlarmService` calls. */
  control: AlarmControl;
  /** What the gateway tells of stored readings and connection changes. */
  observer: ReadingObserver;
  /** Before the first device connects: evaluation and notifications start (a cluster: on the alarm duty's holder). */
  start(): Promise<void>;
  /** At shutdown, after the gateway closed and the last batch settled. */
  stop(): Promise<void>;
}

/**
 * What differs between a single hub and one instance of a cluster (docs/cluster.md): how events
 * and live news reach the other instances, where devices on other instances are, where an
 * acknowledged batch is durable, and which instance runs the once-per-cluster duties. The hub is
 * built the same way on both; only this object differs.
 */
export interface Deployment {
  /** This instance's id in a cluster; undefined for a single node. */
  readonly instanceId: string | undefined;
  /** Every event, this instance's and (in a cluster) the other instances'. */
  readonly bus: EventBus;
  /** Only the events published on this instance: for what must happen once per event in the whole deployment (a webhook). */
  readonly ownEvents: EventBus;
  /** Where the devices connected to other instances are (a single node: nowhere). */
  readonly directory: DeviceDirectory;
  /** The cluster's telemetry store; undefined: the configured local one (a single node). */
  openTelemetry(): Promise<TelemetryStore | undefined>;
  /**
   * What the gateway tells the live channel, given this instance's own live feed and whether a
   * dashboard watches here (a cluster instance receives the others' readings only then).
   */
  liveFeed(local: LiveFeed, interest: LiveInterest): LiveFeed;
  /** Caches of stored records this instance keeps (notification channels, profiles), kept in step with the other instances. */
  readonly caches: SharedCaches;
  /** Where the alarm rules are evaluated and notifications sent: here (a single node), or on one instance of a cluster. */
  alarmRules(parts: AlarmParts): Promise<AlarmSide>;
  /** Run `duty` once for the deployment: here from `startDuties` on a single node, on the holder of its lease in a cluster. */
  addDuty(name: string, duty: Duty): void;
  /** Start the duties (the hub is built and listening). */
  startDuties(): void;
  /** Readiness of the engines other than the two stores, by name (`/readyz`). */
  readonly checks: Readonly<Record<string, () => Promise<void>>>;
  /** Stop the duties this instance runs (first thing at shutdown); a cluster hands their leases on. */
  stopDuties(): Promise<void>;
  /** Let go of the engines (last thing at shutdown, after the stores are closed). */
  close(): Promise<void>;
}
