import type { MetricValue } from "@telehub/device-client/protocol";
import type { EventBus, HubEvent } from "../events/event-bus.js";
import type { HubMetrics } from "../metrics.js";
import type { StoredReading } from "../storage/telemetry-store.js";
import { LiveBatch, type LiveEventKind, type LiveKind } from "./live-batch.js";
import type { LiveCloseCode, LiveSink } from "./live-subscriber.js";
import { LiveSubscriber } from "./live-subscriber.js";

/** What the gateway tells the live channel: readings and presence changes. */
export interface LiveFeed {
  /** Readings that were just accepted or stored (`live.publish`). */
  publishReadings(deviceId: string, readings: readonly StoredReading[]): void;
  presenceChanged(deviceId: string, connected: boolean, at: number): void;
  /**
   * `deviceId`'s newest reading, accepted on another instance of a cluster at `ts` (its values
   * travel only while a dashboard watches): what a feed that keeps each device's newest reading notes.
   */
  newestElsewhere?(deviceId: string, ts: number): void;
}

/** Whether some dashboard is connected to this hub, and when that changes. */
export interface LiveInterest {
  readonly watched: boolean;
  /** `listener` is told each change of {@link watched}. Returns the function that stops telling it. */
  onWatchedChange(listener: (watched: boolean) => void): () => void;
}

/** How often connections that could not take news at once are tried again, at the least. */
const RETRY_FLUSH_MS = 10;

export interface LiveHubOptions {
  flushIntervalMs: number;
  maxBufferedBytes: number;
  maxQueuedEvents: number;
  maxSubscribers: number;
  /** Connections one owner (`key:<id>`, `user:<id>`) may hold at once. */
  maxSubscribersPerCaller: number;
}

/** Why `attach` refused a connection: the hub holds `maxSubscribers`, or one of its owners holds `maxSubscribersPerCaller`. */
export type LiveRefusal = "hub-full" | "caller-full";

/**
 * The live fan-out to dashboards (in-process; several hubs would share a bus behind the same
 * interface). News gathers in one batch per turn of the event loop; at the end of the turn each
 * connection that keeps up gets the batch's message for its topics, encoded once for all the
 * connections with the same topics, and a connection that is behind coalesces its part into a
 * backlog of its own, so that a slow browser neither slows the others nor makes the hub's memory
 * grow.
 */
export class LiveHub implements LiveFeed, LiveInterest {
  /** Each connection, with its owners (the API key, the user). */
  private readonly subscribers = new Map<LiveSubscriber, readonly string[]>();
  /** Connections per owner. */
  private readonly perOwner = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  /** Listening to the bus while some connection is attached (in a cluster, events then travel to this instance). */
  private unsubscribe: (() => void) | undefined;
  private readonly watchers = new Set<(watched: boolean) => void>();
  private flushScheduled = false;
  /** What this turn of the event loop gathered, for every connection. */
  private batch = new LiveBatch();

  constructor(
    private readonly options: LiveHubOptions,
    private readonly bus: EventBus,
    private readonly metrics: HubMetrics,
    private readonly now: () => number = Date.now,
  ) {
    // Picks up connections that were busy (or sent to less than an interval ago) when news came.
    this.timer = setInterval(() => this.flush(), Math.max(options.flushIntervalMs, RETRY_FLUSH_MS));
    this.timer.unref();
    metrics.liveBacklog = () => this.backlog();
  }

  /**
   * A new connection counted against each of its `owners` (`key:<id>` for an API key, `user:<id>` for a
   * user: a session, or the owner of a key), or why not: the hub holds `maxSubscribers`, or an owner
   * holds `maxSubscribersPerCaller`, so that one key or user cannot take every dashboard's place.
   */
  attach(sink: LiveSink, owners: readonly string[]): LiveSubscriber | LiveRefusal {
    if (this.subscribers.size >= this.options.maxSubscribers) return "hub-full";
    if (owners.some((owner) => (this.perOwner.get(owner) ?? 0) >= this.options.maxSubscribersPerCaller)) return "caller-full";
    const subscriber = new LiveSubscriber(sink, this.options, this.now);
    const first = this.subscribers.size === 0;
    if (first) this.unsubscribe = this.bus.subscribe((event) => this.onEvent(event));
    this.subscribers.set(subscriber, owners);
    if (first) this.tellWatchers();
    for (const owner of owners) this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    this.metrics.liveSubscribers.set(this.subscribers.size);
    return subscriber;
  }

  detach(subscriber: LiveSubscriber): void {
    const owners = this.subscribers.get(subscriber);
    if (!owners) return;
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.tellWatchers();
    }
    for (const owner of owners) {
      const left = (this.perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(owner, left);
      else this.perOwner.delete(owner);
    }
    this.metrics.liveSubscribers.set(this.subscribers.size);
  }

  get watched(): boolean {
    return this.subscribers.size > 0;
  }

  onWatchedChange(listener: (watched: boolean) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private tellWatchers(): void {
    for (const listener of this.watchers) listener(this.watched);
  }

  /** Close every connection opened with the API key `keyId` (it was revoked); answers how many. */
  closeForKey(keyId: string): number {
    return this.closeFor(`key:${keyId}`, "TH_API_KEY_REVOKED");
  }

  /** Close every connection `owner` (`key:<id>`, `user:<id>`) holds, the sink told `code`; answers how many. */
  closeFor(owner: string, code: LiveCloseCode): number {
    const closing = [...this.subscribers].filter(([, owners]) => owners.includes(owner)).map(([subscriber]) => subscriber);
    for (const subscriber of closing) {
      this.detach(subscriber);
      subscriber.sink.close(code);
    }
    return closing.length;
  }

  publishReadings(deviceId: string, readings: readonly StoredReading[]): void {
    if (!this.anyoneWants("telemetry", deviceId)) return;
    for (const reading of readings) {
      for (const metric in reading.metrics) {
        this.batch.addValue({ deviceId, metric, ts: reading.ts, value: reading.metrics[metric] as MetricValue });
      }
    }
    this.scheduleFlush();
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    this.addEvent("presence", deviceId, at, { deviceId, connected, at });
  }

  /** Send what this turn gathered, and what waits, to every subscriber that can take it. */
  flush(): void {
    const batch = this.batch.empty ? undefined : this.batch;
    if (batch) this.batch = new LiveBatch();
    let coalesced = 0;
    for (const subscriber of this.subscribers.keys()) {
      subscriber.deliver(batch);
      coalesced += subscriber.coalesced;
      subscriber.coalesced = 0;
    }
    if (coalesced > 0) this.metrics.liveCoalesced.inc(coalesced);
  }

  /** What waits for the live connections, all together: unsent bytes and pending entries. */
  private backlog(): { bufferedBytes: number; pendingEntries: number } {
    let bufferedBytes = 0;
    let pendingEntries = 0;
    for (const subscriber of this.subscribers.keys()) {
      bufferedBytes += subscriber.sink.bufferedBytes();
      pendingEntries += subscriber.pending;
    }
    return { bufferedBytes, pendingEntries };
  }

  /** Stop: every live connection is ended (a stalled one at once), so none holds the HTTP server open. */
  close(): void {
    for (const subscriber of [...this.subscribers.keys()]) {
      this.detach(subscriber);
      subscriber.sink.close("TH_HUB_STOPPING");
    }
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(event: HubEvent): void {
    if (event.type === "command.updated") this.addEvent("commands", event.command.deviceId, event.command.updatedAt, event.command);
    else if (event.type === "alarm.updated") {
      const { alarm, transition } = event;
      this.addEvent("alarms", alarm.deviceId, event.at, { alarm, transition });
    } else this.addEvent("config", event.config.deviceId, event.config.updatedAt, event.config);
  }

  private addEvent(kind: LiveEventKind, deviceId: string, at: number, event: Parameters<LiveBatch["addEvent"]>[3]): void {
    if (!this.anyoneWants(kind, deviceId)) return;
    this.batch.addEvent(kind, deviceId, at, event);
    this.scheduleFlush();
  }

  private anyoneWants(kind: LiveKind, deviceId: string): boolean {
    for (const subscriber of this.subscribers.keys()) if (subscriber.wants(kind, deviceId)) return true;
    return false;
  }

  /**
   * Send at the end of this turn of the event loop rather than at the timer's next tick,
   * which only picks up subscribers that were busy or had just been sent to.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushNow);
  }

  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
}
