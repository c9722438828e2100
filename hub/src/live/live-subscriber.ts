import type { CommandRecord } from "../commands/command-record.js";
import type { DeviceConfigRecord } from "../desired-config/desired-config-store.js";
import type { LivePresence, LiveUpdate, LiveValue } from "./live-update.js";

/** Each kind's every-device topic, built once: `wants()` runs for every frame. */
const ALL_DEVICES = { telemetry: "telemetry:*", commands: "commands:*", presence: "presence:*", config: "config:*" } as const;

/** Where a subscriber's updates go: a WebSocket or an SSE response. */
export interface LiveSink {
  /** Bytes written but not yet sent. */
  bufferedBytes(): number;
  send(update: LiveUpdate): void;
  /** End the connection: the API key it was opened with is revoked, or the hub is stopping. */
  close(code: LiveCloseCode): void;
}

/** Why the hub ends a live connection. */
export type LiveCloseCode = "TH_API_KEY_REVOKED" | "TH_API_SESSION_ENDED" | "TH_API_USER_DISABLED" | "TH_HUB_STOPPING";

/**
 * One dashboard connection: its topics and what is waiting for it. Telemetry coalesces (the
 * newest value per device and metric replaces an older one), so a slow browser costs at most
 * one entry per metric; events queue in order up to a bound. It is sent at most one message per
 * flush interval.
 */
export class LiveSubscriber {
  private readonly topics = new Set<string>();
  private readonly telemetry = new Map<string, LiveValue>();
  private events: { commands: CommandRecord[]; presence: LivePresence[]; config: DeviceConfigRecord[] } = {
    commands: [],
    presence: [],
    config: [],
  };
  private queuedEvents = 0;
  private dropped = 0;
  /** Telemetry values replaced before they were sent. */
  coalesced = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly sink: LiveSink,
    private readonly limits: { maxBufferedBytes: number; maxQueuedEvents: number; flushIntervalMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(topics: readonly string[]): void {
    for (const topic of topics) this.topics.add(topic);
  }

  unsubscribe(topics: readonly string[]): void {
    for (const topic of topics) this.topics.delete(topic);
  }

  subscribedTopics(): string[] {
    return [...this.topics];
  }

  wants(kind: "telemetry" | "commands" | "presence" | "config", deviceId: string): boolean {
    return this.topics.has(ALL_DEVICES[kind]) || this.topics.has(`${kind}:${deviceId}`);
  }

  addValue(value: LiveValue): void {
    const key = `${value.deviceId}\u0000${value.metric}`;
    const earlier = this.telemetry.get(key);
    if (earlier && earlier.ts > value.ts) return;
    if (earlier) this.coalesced++;
    this.telemetry.set(key, value);
  }

  addEvent<K extends "commands" | "presence" | "config">(kind: K, event: (typeof this.events)[K][number]): void {
    (this.events[kind] as (typeof event)[]).push(event);
    this.queuedEvents++;
    if (this.queuedEvents > this.limits.maxQueuedEvents) this.dropOldestEvent();
  }

  /** Entries waiting (telemetry keys plus events): bounded by metrics × devices subscribed and `maxQueuedEvents`. */
  get pending(): number {
    return this.telemetry.size + this.queuedEvents;
  }

  /** Send what is waiting, unless the connection is still busy with earlier updates. */
  flush(): void {
    if (this.pending === 0 && this.dropped === 0) return;
    if (this.sink.bufferedBytes() > this.limits.maxBufferedBytes) return;
    // At most one message per flush interval: an idle connection gets news at once, a busy one in gathered steps.
    const now = this.now();
    if (now - this.lastSentAt < (this.limits.flushIntervalMs ?? 0)) return;
    this.lastSentAt = now;
    const update: LiveUpdate = { type: "update", telemetry: [...this.telemetry.values()], ...this.events, dropped: this.dropped };
    this.telemetry.clear();
    this.events = { commands: [], presence: [], config: [] };
    this.queuedEvents = 0;
    this.dropped = 0;
    this.sink.send(update);
  }

  private dropOldestEvent(): void {
    const kinds = (["commands", "presence", "config"] as const).filter((k) => this.events[k].length > 0);
    const oldest = kinds.sort((a, b) => eventTime(this.events[a][0]) - eventTime(this.events[b][0]))[0];
    if (!oldest) return;
    this.events[oldest].shift();
    this.queuedEvents--;
    this.dropped++;
  }
}

function eventTime(event: CommandRecord | LivePresence | DeviceConfigRecord | undefined): number {
  if (!event) return Number.POSITIVE_INFINITY;
  return "at" in event ? event.at : event.updatedAt;
}
