import type pino from "pino";
import type { Alarm, AlarmTransition } from "../alarms/alarm.js";
import type { NotificationChannel, NotificationDelivery } from "../alarms/notification-channel.js";
import type { HubConfig } from "../config/hub-config.js";
import type { EventBus, HubEvent } from "../events/event-bus.js";
import type { AlarmRepository } from "../storage/alarm-repository.js";
import type { NotificationRepository } from "../storage/notification-repository.js";
import { alarmText, DIGEST_MAX_LINES, digestLine, digestText, type MessageText } from "./message-text.js";
import { RateWindow } from "./rate-window.js";

/** A message about to become a stored delivery. */
export type DeliveryDraft = Pick<NotificationDelivery, "kind" | "alarmIds" | "event"> & MessageText;

export interface AlarmMessengerDeps {
  alarms: AlarmRepository;
  repository: NotificationRepository;
  bus: EventBus;
  config: HubConfig["notifications"];
  log: pino.Logger;
  now: () => number;
  /** The channels as they are now. */
  channels: () => Iterable<NotificationChannel>;
  /** Stores the draft as a pending delivery of `channel` (and marks its alarms notified) and queues it. */
  post: (channel: NotificationChannel, draft: DeliveryDraft) => Promise<NotificationDelivery>;
}

/**
 * Turns alarm steps into messages: for each enabled channel whose severities and steps match, a
 * message, through the channel's {@link RateWindow} (over the limit: held, then one digest when
 * the window ends); and every `repeatCheckMs` a reminder for each active, unacknowledged alarm a
 * channel with a repeat interval last told about that long ago. Work is done in order, one step at
 * a time, off the publisher's path (the bus listener only queues).
 */
export class AlarmMessenger {
  private readonly windows = new Map<string, RateWindow>();
  private readonly digestTimers = new Map<string, NodeJS.Timeout>();
  private work: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private repeatTimer: NodeJS.Timeout | undefined;
  private repeatQueued = false;
  private stopped = false;

  constructor(private readonly deps: AlarmMessengerDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe((event) => this.onEvent(event));
    this.repeatTimer = setInterval(() => this.queueRepeatCheck(), this.deps.config.repeatCheckMs);
  }

  /**
   * Stops listening, finishes the queued work, and stores what the rate limits hold as digests
   * now (pending deliveries, sent after the next start), so a restart loses no held message.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.repeatTimer);
    for (const timer of this.digestTimers.values()) clearTimeout(timer);
    this.digestTimers.clear();
    await this.work;
    for (const channel of this.deps.channels()) await this.sendDigest(channel).catch((error: unknown) => this.logFailure(error));
  }

  /** A channel was created or changed: a new rate limit starts a new window (what the old one held goes out first). */
  channelChanged(channel: NotificationChannel): void {
    const window = this.windows.get(channel.id);
    if (!window || (window.limit.count === channel.rateLimit.count && window.limit.windowMs === channel.rateLimit.windowMs)) return;
    this.enqueue(async () => {
      await this.sendDigest(channel);
      this.forgetWindow(channel.id);
    });
  }

  /** A channel was deleted: what it held is dropped. */
  channelDeleted(channelId: string): void {
    this.forgetWindow(channelId);
  }

  /** The channel's window and its digest timer go (a timer left behind would end the next window early). */
  private forgetWindow(channelId: string): void {
    this.windows.delete(channelId);
    clearTimeout(this.digestTimers.get(channelId));
    this.digestTimers.delete(channelId);
  }

  /** Runs a reminder check now (also done every `repeatCheckMs`); resolves when it is done. */
  checkRepeats(): Promise<void> {
    return this.enqueue(() => this.repeatCheck());
  }

  private onEvent(event: HubEvent): void {
    if (event.type !== "alarm.updated" || this.stopped) return;
    const { alarm, transition } = event;
    void this.enqueue(() => this.notifyStep(alarm, transition));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.work = this.work.then(task).catch((error: unknown) => this.logFailure(error));
    return this.work;
  }

  private logFailure(error: unknown): void {
    this.deps.log.error({ err: error }, "alarm notification could not be stored");
  }

  private async notifyStep(alarm: Alarm, transition: AlarmTransition): Promise<void> {
    for (const channel of this.deps.channels()) {
      if (!channel.enabled || !channel.on.includes(transition.kind) || !channel.severities.includes(transition.severity)) continue;
      await this.offer(channel, alarm, transition);
    }
  }

  private queueRepeatCheck(): void {
    if (this.repeatQueued || this.stopped) return;
    this.repeatQueued = true;
    void this.enqueue(async () => {
      this.repeatQueued = false;
      await this.repeatCheck();
    });
  }

  private async repeatCheck(): Promise<void> {
    const reminding = [...this.deps.channels()].filter((channel) => channel.enabled && channel.repeatIntervalMs > 0);
    if (reminding.length === 0) return;
    for (const alarm of await this.deps.alarms.activeAlarms({})) {
      if (alarm.acknowledged) continue;
      for (const channel of reminding) {
        if (!channel.severities.includes(alarm.severity) || this.windows.get(channel.id)?.holds(alarm.id)) continue;
        const last = (await this.deps.repository.lastNotified(channel.id, alarm.id)) ?? alarm.raisedAt;
        if (this.deps.now() - last >= channel.repeatIntervalMs) await this.offer(channel, alarm, null);
      }
    }
  }

  /** A message about `alarm` (a step, or a reminder when `transition` is null), sent or held by the channel's rate limit. */
  private async offer(channel: NotificationChannel, alarm: Alarm, transition: AlarmTransition | null): Promise<void> {
    const window = this.windowOf(channel);
    const now = this.deps.now();
    const line = digestLine(alarm, transition);
    if (window.admit(now, { alarmId: alarm.id, severity: alarm.severity, line }) === "hold") {
      this.scheduleDigest(channel, window);
      return;
    }
    const text = alarmText(alarm, transition, this.deps.config.linkBaseUrl);
    await this.deps.post(channel, {
      kind: transition ? "alarm" : "repeat",
      alarmIds: [alarm.id],
      event: transition?.kind ?? null,
      ...text,
    });
  }

  private windowOf(channel: NotificationChannel): RateWindow {
    let window = this.windows.get(channel.id);
    if (!window) {
      window = new RateWindow({ ...channel.rateLimit }, DIGEST_MAX_LINES);
      this.windows.set(channel.id, window);
    }
    return window;
  }

  private scheduleDigest(channel: NotificationChannel, window: RateWindow): void {
    const due = window.digestDueAt();
    if (due === null || this.digestTimers.has(channel.id) || this.stopped) return;
    const timer = setTimeout(
      () => {
        this.digestTimers.delete(channel.id);
        void this.enqueue(async () => {
          const current = [...this.deps.channels()].find((candidate) => candidate.id === channel.id);
          if (current) await this.sendDigest(current);
        });
      },
      Math.max(0, due - this.deps.now()),
    );
    this.digestTimers.set(channel.id, timer);
  }

  /** Stores what the channel's window holds as one digest; a channel disabled meanwhile drops it. */
  private async sendDigest(channel: NotificationChannel): Promise<void> {
    const digest = this.windows.get(channel.id)?.takeDigest(this.deps.now());
    if (!digest) return;
    if (!channel.enabled) {
      this.deps.log.info({ channel: channel.id, held: digest.count }, "channel disabled: its held alarm notifications are dropped");
      return;
    }
    await this.deps.post(channel, {
      kind: "digest",
      alarmIds: digest.alarmIds,
      event: null,
      ...digestText(channel, digest.lines, digest.count, digest.highest, this.deps.config.linkBaseUrl),
    });
  }
}
