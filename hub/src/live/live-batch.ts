import type { CommandRecord } from "../commands/command-record.js";
import type { DeviceConfigRecord } from "../desired-config/desired-config-store.js";
import { LiveMessage } from "./live-message.js";
import type { LiveAlarm, LivePresence, LiveValue } from "./live-update.js";

/** What a live connection subscribes to, per device or for all. */
export type LiveKind = "telemetry" | "commands" | "presence" | "config" | "alarms";
/** The kinds that queue in order instead of coalescing. */
export type LiveEventKind = Exclude<LiveKind, "telemetry">;
/** Whether a connection's topics take news of `kind` about `deviceId`. */
export type LiveInterest = (kind: LiveKind, deviceId: string) => boolean;

/** What an event item carries. */
export type LiveEvent = CommandRecord | LivePresence | DeviceConfigRecord | LiveAlarm;

/** One piece of news (a telemetry value or an event) as it goes into `update` messages, its JSON made once. */
export class LiveItem {
  private encoded: string | undefined;
  /** Older values of the same device and metric this one replaced before it was sent (telemetry). */
  replaced = 0;

  constructor(
    readonly kind: LiveKind,
    readonly deviceId: string,
    /** The device's timestamp (telemetry) or the event's time. */
    readonly ts: number,
    private readonly value: LiveValue | LiveEvent,
    /** Telemetry's {@link telemetryKey}; empty for events. */
    readonly key = "",
  ) {}

  get json(): string {
    if (this.encoded === undefined) this.encoded = JSON.stringify(this.value);
    return this.encoded;
  }
}

/** The coalescing key of a telemetry value: one entry per device and metric. */
export function telemetryKey(deviceId: string, metric: string): string {
  return `${deviceId}\u0000${metric}`;
}

/** An `update` message of `items` (telemetry and events in the order given), from their JSON made once. */
export function encodeUpdate(items: Iterable<LiveItem>, dropped: number): LiveMessage {
  const parts: Record<LiveKind, string[]> = { telemetry: [], commands: [], presence: [], config: [], alarms: [] };
  for (const item of items) parts[item.kind].push(item.json);
  return new LiveMessage(
    `{"type":"update","telemetry":[${parts.telemetry.join(",")}],"commands":[${parts.commands.join(",")}],` +
      `"presence":[${parts.presence.join(",")}],"config":[${parts.config.join(",")}],"alarms":[${parts.alarms.join(",")}],` +
      `"dropped":${dropped}}`,
  );
}

/** The message one set of topics gets from a batch (none: nothing it wants), and the values coalesced into it. */
export interface SharedUpdate {
  message: LiveMessage | undefined;
  replaced: number;
}

/**
 * What one turn of the event loop gathered for the live channel, for every connection at once:
 * telemetry coalesced to the newest value per device and metric (by device timestamp), events in
 * order. Each connection that keeps up gets its part as one message, encoded once per distinct
 * set of topics and shared ({@link messageFor}); a connection that is behind takes its part into
 * its own backlog ({@link select}).
 */
export class LiveBatch {
  private readonly telemetry = new Map<string, LiveItem>();
  private readonly events: LiveItem[] = [];
  private readonly shared = new Map<string, SharedUpdate>();

  get empty(): boolean {
    return this.telemetry.size === 0 && this.events.length === 0;
  }

  addValue(value: LiveValue): void {
    const key = telemetryKey(value.deviceId, value.metric);
    const earlier = this.telemetry.get(key);
    if (earlier && earlier.ts > value.ts) return;
    const item = new LiveItem("telemetry", value.deviceId, value.ts, value, key);
    if (earlier) item.replaced = earlier.replaced + 1;
    this.telemetry.set(key, item);
  }

  addEvent(kind: LiveEventKind, deviceId: string, at: number, event: LiveEvent): void {
    this.events.push(new LiveItem(kind, deviceId, at, event));
  }

  /** The items `wants` takes: telemetry, then events in order. */
  select(wants: LiveInterest): LiveItem[] {
    const items: LiveItem[] = [];
    for (const item of this.telemetry.values()) if (wants(item.kind, item.deviceId)) items.push(item);
    for (const item of this.events) if (wants(item.kind, item.deviceId)) items.push(item);
    return items;
  }

  /**
   * The message for connections whose topics are `topicKey` (the same topics select the same
   * items): encoded for the first such connection, then shared.
   */
  messageFor(topicKey: string, wants: LiveInterest): SharedUpdate {
    let update = this.shared.get(topicKey);
    if (update === undefined) {
      const items = this.select(wants);
      update = {
        message: items.length > 0 ? encodeUpdate(items, 0) : undefined,
        replaced: items.reduce((sum, item) => sum + item.replaced, 0),
      };
      this.shared.set(topicKey, update);
    }
    return update;
  }
}
