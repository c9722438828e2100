import type pino from "pino";
import type { Alarm } from "../alarms/alarm.js";
import type { Actor } from "../alarms/alarm-api.js";
import type { NotificationApi } from "../alarms/notification-api.js";
import {
  type ChannelDefinition,
  type ChannelView,
  type NotificationChannel,
  type NotificationDelivery,
  SECRET_SETTINGS,
} from "../alarms/notification-channel.js";
import { LOCAL_CACHES, type SharedCaches } from "../cluster/cluster-cache-notices.js";
import type { HubConfig } from "../config/hub-config.js";
import type { EventBus } from "../events/event-bus.js";
import type { HubMetrics } from "../metrics.js";
import { generateId } from "../security/secrets.js";
import type { AlarmRepository } from "../storage/alarm-repository.js";
import type { DeliveryQuery, NotificationRepository } from "../storage/notification-repository.js";
import { AlarmMessenger, type DeliveryDraft } from "./alarm-messenger.js";
import { ChannelInvalidError, ChannelLimitError } from "./channel-errors.js";
import { validateChannel, withKeptSecrets } from "./channel-schema.js";
import { sendToChannel } from "./channel-sender.js";
import { DeliveryOutbox } from "./delivery-outbox.js";
import { testText } from "./message-text.js";

export interface NotificationServiceDeps {
  repository: NotificationRepository;
  alarms: AlarmRepository;
  bus: EventBus;
  config: HubConfig["notifications"];
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
  /** Tells the other instances of a cluster when a channel changed, and this service when they changed one. Default: a single node's (nothing to tell). */
  caches?: SharedCaches;
}

/** A channel as the API shows it: its secret settings left out, named in `secretsSet` when they have a value. */
export function channelView(channel: NotificationChannel): ChannelView {
  const settings: Record<string, unknown> = { ...channel.settings };
  const secretsSet: string[] = [];
  for (const key of SECRET_SETTINGS[channel.kind]) {
    if (settings[key] !== undefined && settings[key] !== "") secretsSet.push(key);
    delete settings[key];
  }
  return { ...channel, settings, secretsSet };
}

/**
 * Notification channels and what they send: alarm steps and reminders (through each channel's
 * rate limit and digest: {@link AlarmMessenger}), written to the outbox first and sent by
 * {@link DeliveryOutbox} (retries with backoff, one lane per channel). Channels are held in
 * memory, read again when another instance of a cluster changed one (`caches`). In a cluster only
 * the holder of the alarm duty sends (`startSending`/`stopSending`); every instance serves the API.
 */
export class NotificationService implements NotificationApi {
  private readonly channels = new Map<string, NotificationChannel>();
  private outbox: DeliveryOutbox;
  private messenger: AlarmMessenger;
  /** The sender stopped: the next `startSending` makes a new one. */
  private sendingStopped = false;
  private readonly caches: SharedCaches;

  constructor(private readonly deps: NotificationServiceDeps) {
    this.caches = deps.caches ?? LOCAL_CACHES;
    this.caches.onChanged("channels", () => {
      this.reloadChannels().catch((error: unknown) => deps.log.error({ err: error }, "could not read the notification channels again"));
    });
    this.outbox = this.newOutbox();
    this.messenger = this.newMessenger();
  }

  private newOutbox(): DeliveryOutbox {
    const { deps } = this;
    return new DeliveryOutbox({
      repository: deps.repository,
      config: deps.config,
      metrics: deps.metrics,
      log: deps.log,
      now: deps.now,
      channel: (id) => this.channels.get(id),
      send: (channel, delivery, signal) => this.send(channel, delivery, signal),
    });
  }

  private newMessenger(): AlarmMessenger {
    const { deps } = this;
    return new AlarmMessenger({
      alarms: deps.alarms,
      repository: deps.repository,
      bus: deps.bus,
      config: deps.config,
      log: deps.log,
      now: deps.now,
      channels: () => this.channels.values(),
      post: (channel, draft) => this.post(channel, draft),
    });
  }

  /** Reads the channels, queues the deliveries still pending (a previous run's too), and starts listening to alarm steps. */
  async start(): Promise<void> {
    await this.loadChannels();
    await this.startSending();
  }

  /**
   * Stops sending (waits for the attempts under way, each bounded by `timeoutMs`), then stores
   * what the rate limits hold as digests: they, and every delivery still pending, are sent after
   * the next start.
   */
  async stop(): Promise<void> {
    await this.stopSending();
  }

  /** Reads the channels (what the API serves); a cluster instance does this at start, sending or not. */
  async loadChannels(): Promise<void> {
    for (const channel of await this.deps.repository.allChannels()) this.channels.set(channel.id, channel);
  }

  /** Queues the deliveries still pending and starts listening to alarm steps (a cluster: on the alarm duty's holder). */
  async startSending(): Promise<void> {
    if (this.sendingStopped) {
      this.outbox = this.newOutbox();
      this.messenger = this.newMessenger();
      this.sendingStopped = false;
    }
    await this.outbox.start();
    this.messenger.start();
  }

  /** What `stop` does; `startSending` may follow (a cluster instance that holds the duty again). */
  async stopSending(): Promise<void> {
    this.sendingStopped = true;
    await this.outbox.stop();
    await this.messenger.stop();
  }

  /** Runs the reminder check now (it also runs every `notifications.repeatCheckMs`). */
  checkRepeats(): Promise<void> {
    return this.messenger.checkRepeats();
  }

  async listChannels(page: { limit: number; offset: number }): Promise<{ items: ChannelView[]; total: number }> {
    const { items, total } = await this.deps.repository.listChannels(page);
    return { items: items.map(channelView), total };
  }

  async getChannel(id: string): Promise<ChannelView | undefined> {
    const channel = this.channels.get(id);
    return channel && channelView(channel);
  }

  async createChannel(definition: ChannelDefinition, actor: Actor): Promise<ChannelView> {
    const problem = validateChannel(definition);
    if (problem) throw new ChannelInvalidError(problem.field, problem.message);
    if (this.channels.size >= this.deps.config.maxChannels) throw new ChannelLimitError(this.deps.config.maxChannels);
    const channel = await this.deps.repository.createChannel(definition, this.deps.now(), actor.by);
    this.channels.set(channel.id, channel);
    this.caches.changed("channels");
    return channelView(channel);
  }

  async updateChannel(id: string, definition: ChannelDefinition, actor: Actor, expectedVersion?: number): Promise<ChannelView | undefined> {
    const existing = this.channels.get(id);
    if (!existing) return undefined;
    const problem = validateChannel(definition, existing);
    if (problem) throw new ChannelInvalidError(problem.field, problem.message);
    const channel = await this.deps.repository.updateChannel(
      id,
      withKeptSecrets(definition, existing),
      this.deps.now(),
      actor.by,
      expectedVersion,
    );
    if (!channel) return undefined;
    this.channels.set(channel.id, channel);
    this.messenger.channelChanged(channel);
    this.caches.changed("channels");
    return channelView(channel);
  }

  async deleteChannel(id: string, _actor: Actor): Promise<boolean> {
    const deleted = await this.deps.repository.deleteChannel(id);
    this.channels.delete(id);
    this.messenger.channelDeleted(id);
    this.outbox.forgetChannel(id);
    if (deleted) this.caches.changed("channels");
    return deleted;
  }

  /** Another instance changed channels: read them again, as the changes made here would have left them. */
  private async reloadChannels(): Promise<void> {
    const fresh = new Map((await this.deps.repository.allChannels()).map((channel) => [channel.id, channel]));
    for (const id of this.channels.keys()) {
      if (fresh.has(id)) continue;
      this.channels.delete(id);
      this.messenger.channelDeleted(id);
      this.outbox.forgetChannel(id);
    }
    for (const channel of fresh.values()) {
      const known = this.channels.get(channel.id);
      this.channels.set(channel.id, channel);
      if (known && known.version !== channel.version) this.messenger.channelChanged(channel);
    }
  }

  async sendTest(id: string, actor: Actor): Promise<NotificationDelivery | undefined> {
    const channel = this.channels.get(id);
    if (!channel) return undefined;
    const delivery = await this.store(channel, { kind: "test", alarmIds: [], event: null, ...testText(channel, actor.byName) });
    return this.outbox.attemptNow(delivery);
  }

  listDeliveries(query: DeliveryQuery): Promise<{ items: NotificationDelivery[]; total: number }> {
    return this.deps.repository.listDeliveries(query);
  }

  getDelivery(id: string): Promise<NotificationDelivery | undefined> {
    return this.deps.repository.getDelivery(id);
  }

  private async store(channel: NotificationChannel, draft: DeliveryDraft): Promise<NotificationDelivery> {
    const now = this.deps.now();
    const delivery = await this.deps.repository.addDelivery({
      id: `dlv_${generateId()}`,
      channelId: channel.id,
      ...draft,
      status: "pending",
      createdAt: now,
      nextAttemptAt: now,
    });
    for (const alarmId of draft.alarmIds) await this.deps.repository.setLastNotified(channel.id, alarmId, now);
    return delivery;
  }

  private async post(channel: NotificationChannel, draft: DeliveryDraft): Promise<NotificationDelivery> {
    const delivery = await this.store(channel, draft);
    this.outbox.enqueue(delivery);
    return delivery;
  }

  private async send(channel: NotificationChannel, delivery: NotificationDelivery, signal: AbortSignal): Promise<void> {
    // Only webhooks carry the alarms themselves (as they are now); mails and chat messages carry the stored text.
    const alarms: Alarm[] = [];
    if (channel.kind === "webhook") {
      for (const id of delivery.alarmIds) {
        const alarm = await this.deps.alarms.getAlarm(id);
        if (alarm) alarms.push(alarm);
      }
    }
    await sendToChannel(channel, { delivery, alarms }, { signal, timeoutMs: this.deps.config.timeoutMs, nowMs: this.deps.now() });
  }
}
