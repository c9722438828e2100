import { encodeUpdate, type LiveBatch, type LiveItem, type LiveKind } from "./live-batch.js";
import type { LiveMessage } from "./live-message.js";

/** Each kind's every-device topic, built once: `wants()` runs for every item of every batch. */
const ALL_DEVICES = {
  telemetry: "telemetry:*",
  commands: "commands:*",
  presence: "presence:*",
  config: "config:*",
  alarms: "alarms:*",
} as const;

/** Where a subscriber's updates go: a WebSocket, an SSE response or a long-poll subscription. */
export interface LiveSink {
  /** Bytes written but not yet sent. */
  bufferedBytes(): number;
  /** Whether the sink can take a message now, whatever it has buffered (a long poll: only while a poll waits); absent: always. */
  ready?(): boolean;
  /** Send one `update`; the same message may go to many sinks, so a sink takes the form it needs and changes nothing. */
  send(message: LiveMessage): void;
  /** End the connection: the API key it was opened with is revoked, or the hub is stopping. */
  close(code: LiveCloseCode): void;
}

/** Why the hub ends a live connection. */
export type LiveCloseCode = "TH_API_KEY_REVOKED" | "TH_API_SESSION_ENDED" | "TH_API_USER_DISABLED" | "TH_HUB_STOPPING";

/**
 * One dashboard connection: its topics and, while it is behind, its backlog. A connection that
 * keeps up gets each batch at once, as the message every connection with the same topics gets
 * (encoded once). One that is behind (more than `maxBufferedBytes` unsent, or sent to less than
 * `flushIntervalMs` ago) keeps a backlog instead: telemetry coalesces (the newest value per
 * device and metric replaces an older one), so a slow browser costs at most one entry per
 * metric; events queue in order up to `maxQueuedEvents`. It is sent at most one message per
 * flush interval.
 */
export class LiveSubscriber {
  private readonly topics = new Set<string>();
  /** The topics sorted and joined: connections with the same key take the same items from a batch. */
  private topicKey = "";
  private readonly telemetry = new Map<string, LiveItem>();
  private events: LiveItem[] = [];
  private dropped = 0;
  /** Telemetry values replaced before they were sent. */
  coalesced = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** `wants` bound once, for the batch's filters. */
  private readonly interest = (kind: LiveKind, deviceId: string): boolean => this.wants(kind, deviceId);

  constructor(
    readonly sink: LiveSink,
    private readonly limits: { maxBufferedBytes: number; maxQueuedEvents: number; flushIntervalMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(topics: readonly string[]): void {
    for (const topic of topics) this.topics.add(topic);
    this.topicKey = [...this.topics].sort().join(",");
  }

  unsubscribe(topics: readonly string[]): void {
    for (const topic of topics) this.topics.delete(topic);
    this.topicKey = [...this.topics].sort().join(",");
  }

  subscribedTopics(): string[] {
    return [...this.topics];
  }

  wants(kind: LiveKind, deviceId: string): boolean {
    return this.topics.has(ALL_DEVICES[kind]) || this.topics.has(`${kind}:${deviceId}`);
  }

  /** Entries waiting (telemetry keys plus events): bounded by metrics × devices subscribed and `maxQueuedEvents`. */
  get pending(): number {
    return this.telemetry.size + this.events.length;
  }

  /**
   * Take this connection's part of `batch` (none: only try again to send the backlog) and send
   * what it can take now. With no backlog and room to send, that is the batch's shared message
   * for these topics, at once: coalescing costs a connection that keeps up nothing.
   */
  deliver(batch: LiveBatch | undefined): void {
    if (batch === undefined && this.pending === 0 && this.dropped === 0) return;
    const ready =
      (this.sink.ready?.() ?? true) &&
      this.sink.bufferedBytes() <= this.limits.maxBufferedBytes &&
      this.now() - this.lastSentAt >= (this.limits.flushIntervalMs ?? 0);
    if (ready && this.pending === 0 && this.dropped === 0) {
      if (batch === undefined) return;
      const update = batch.messageFor(this.topicKey, this.interest);
      if (update.message === undefined) return;
      this.coalesced += update.replaced;
      this.send(update.message);
      return;
    }
    if (batch !== undefined) for (const item of batch.select(this.interest)) this.hold(item);
    if (!ready || (this.pending === 0 && this.dropped === 0)) return;
    const message = encodeUpdate([...this.telemetry.values(), ...this.events], this.dropped);
    this.telemetry.clear();
    this.events = [];
    this.dropped = 0;
    this.send(message);
  }

  /** Keep `item` until the connection can take it: telemetry coalesced, events queued up to the bound. */
  private hold(item: LiveItem): void {
    this.coalesced += item.replaced;
    if (item.kind === "telemetry") {
      const earlier = this.telemetry.get(item.key);
      if (earlier && earlier.ts > item.ts) return;
      if (earlier) this.coalesced++;
      this.telemetry.set(item.key, item);
      return;
    }
    this.events.push(item);
    if (this.events.length > this.limits.maxQueuedEvents) {
      this.events.shift();
      this.dropped++;
    }
  }

  private send(message: LiveMessage): void {
    this.lastSentAt = this.now();
    this.sink.send(message);
  }
}
