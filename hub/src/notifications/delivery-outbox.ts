import type pino from "pino";
import type { DeliveryStatus, NotificationChannel, NotificationDelivery } from "../alarms/notification-channel.js";
import { SECRET_SETTINGS } from "../alarms/notification-channel.js";
import type { HubConfig } from "../config/hub-config.js";
import type { HubMetrics } from "../metrics.js";
import type { NotificationRepository } from "../storage/notification-repository.js";
import { describeFailure } from "./outgoing-message.js";

export interface DeliveryOutboxDeps {
  repository: NotificationRepository;
  config: HubConfig["notifications"];
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
  /** The channel as it is now, or undefined once deleted. */
  channel: (id: string) => NotificationChannel | undefined;
  /** One attempt: resolves when the channel took the message, throws when it did not. */
  send: (channel: NotificationChannel, delivery: NotificationDelivery, signal: AbortSignal) => Promise<void>;
}

/** One channel's queue: delivery id → when its next attempt is due. One attempt at a time. */
interface Lane {
  due: Map<string, number>;
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** The wait after the `failures`-th failed attempt: `retryBaseMs × 2^(failures−1)`, at most `maxRetryDelayMs`. */
export function retryDelay(config: HubConfig["notifications"], failures: number): number {
  return Math.min(config.maxRetryDelayMs, config.retryBaseMs * 2 ** (failures - 1));
}

/** Shortest path segment or query value of a secret URL that is redacted on its own. */
const MIN_SECRET_PART = 8;

/** A secret value and, for a URL (a Slack hook carries its token in the path), its path and its longer parts. */
function secretParts(value: string): string[] {
  const parts = [value];
  try {
    const url = new URL(value);
    parts.push(url.pathname + url.search);
    parts.push(...url.pathname.split("/"), ...[...url.searchParams.values()]);
  } catch {
    // Not a URL: the value alone.
  }
  return parts.filter((part) => part.length >= MIN_SECRET_PART || part === value).sort((a, b) => b.length - a.length);
}

/** `text` with every secret setting of `channel` replaced by `[redacted]` (an error may quote a URL or a reply). */
export function redactSecrets(channel: NotificationChannel | undefined, text: string): string {
  if (!channel) return text;
  const settings = channel.settings as unknown as Record<string, unknown>;
  let redacted = text;
  for (const key of SECRET_SETTINGS[channel.kind]) {
    const value = settings[key];
    if (typeof value !== "string" || value === "") continue;
    for (const part of secretParts(value)) redacted = redacted.replaceAll(part, "[redacted]");
  }
  return redacted;
}

/**
 * Sends the stored deliveries and retries the failed ones. Every channel has its own lane (one
 * attempt at a time, the earliest due first), so a channel that fails or hangs delays only its
 * own messages; every attempt ends within `timeoutMs` and is recorded with its outcome. A failed
 * attempt is retried after {@link retryDelay}, up to `maxAttempts`, then the delivery is
 * `failed`; so is one whose channel is disabled (test messages excepted). Pending deliveries are
 * read back at start.
 */
export class DeliveryOutbox {
  private readonly lanes = new Map<string, Lane>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly deps: DeliveryOutboxDeps) {}

  /** Queues every pending delivery (those of the previous run included). */
  async start(): Promise<void> {
    for (const delivery of await this.deps.repository.pendingDeliveries()) this.enqueue(delivery);
  }

  /** Stops taking new attempts and waits for those under way (each bounded by `timeoutMs`). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) clearTimeout(lane.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Queues a pending delivery for its channel, due at its `nextAttemptAt` (now when null). */
  enqueue(delivery: NotificationDelivery): void {
    if (delivery.status !== "pending") return;
    let lane = this.lanes.get(delivery.channelId);
    if (!lane) {
      lane = { due: new Map(), busy: false, timer: undefined };
      this.lanes.set(delivery.channelId, lane);
    }
    lane.due.set(delivery.id, delivery.nextAttemptAt ?? this.deps.now());
    this.updatePending();
    this.pump(delivery.channelId);
  }

  /** One attempt now, outside the channel's lane (a test message); a failure is retried in the lane. */
  async attemptNow(delivery: NotificationDelivery): Promise<NotificationDelivery> {
    const attempt = this.attempt(delivery.id);
    this.track(attempt);
    const updated = (await attempt) ?? delivery;
    if (updated.status === "pending" && !this.stopped) this.enqueue(updated);
    return updated;
  }

  /** Drops a deleted channel's queue (the repository has marked its pending deliveries failed). */
  forgetChannel(channelId: string): void {
    const lane = this.lanes.get(channelId);
    if (!lane) return;
    clearTimeout(lane.timer);
    lane.due.clear();
    if (!lane.busy) this.lanes.delete(channelId);
    this.updatePending();
  }

  /** Deliveries queued or being attempted. */
  pendingCount(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.due.size + (lane.busy ? 1 : 0);
    return count;
  }

  private pump(channelId: string): void {
    const lane = this.lanes.get(channelId);
    if (!lane || lane.busy || this.stopped) return;
    clearTimeout(lane.timer);
    lane.timer = undefined;
    let nextId: string | undefined;
    let nextAt = Number.POSITIVE_INFINITY;
    for (const [id, at] of lane.due) {
      if (at < nextAt) {
        nextId = id;
        nextAt = at;
      }
    }
    if (nextId === undefined) {
      this.lanes.delete(channelId);
      return;
    }
    const wait = nextAt - this.deps.now();
    if (wait > 0) {
      lane.timer = setTimeout(() => this.pump(channelId), Math.min(wait, 2_147_483_647));
      return;
    }
    const id = nextId;
    lane.due.delete(id);
    lane.busy = true;
    const attempt = this.attempt(id)
      .then((updated) => {
        if (updated?.status === "pending" && updated.nextAttemptAt !== null && this.lanes.get(channelId) === lane)
          lane.due.set(id, updated.nextAttemptAt);
      })
      .catch((error: unknown) => this.deps.log.error({ err: error, delivery: id }, "notification attempt could not be recorded"))
      .finally(() => {
        lane.busy = false;
        this.updatePending();
        if (this.lanes.get(channelId) === lane) this.pump(channelId);
      });
    this.track(attempt);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  private async attempt(id: string): Promise<NotificationDelivery | undefined> {
    const { repository, config, now, log } = this.deps;
    const delivery = await repository.getDelivery(id);
    if (delivery?.status !== "pending") return delivery;
    const channel = this.deps.channel(delivery.channelId);
    const at = now();
    // A disabled channel sends nothing but test messages: what it had queued fails at once.
    const refusal = !channel ? "the channel was deleted" : !channel.enabled && delivery.kind !== "test" ? "the channel is disabled" : null;
    const error = refusal ?? (await this.send(channel as NotificationChannel, delivery));
    const failures = delivery.attempts.length + 1;
    const outcome = error === null ? "delivered" : refusal !== null || failures >= config.maxAttempts ? "failed" : "retry";
    const status: DeliveryStatus = outcome === "retry" ? "pending" : outcome;
    const nextAttemptAt = outcome === "retry" ? at + retryDelay(config, failures) : null;
    const updated = await repository.recordAttempt(
      id,
      { at, ok: error === null, durationMs: Math.max(0, now() - at), error },
      status,
      nextAttemptAt,
    );
    if (channel) this.deps.metrics.notificationDeliveries.inc({ kind: channel.kind, outcome });
    const context = { delivery: id, channel: delivery.channelId, kind: delivery.kind, attempt: failures, error };
    if (outcome === "retry") log.warn({ ...context, nextAttemptAt }, "notification attempt failed; will retry");
    else if (outcome === "failed")
      log.error(context, "notification failed for good (notifications.maxAttempts reached, or its channel deleted or disabled)");
    else log.debug(context, "notification delivered");
    return updated;
  }

  /** One send bounded by `timeoutMs`: null when it went through, else what went wrong (secrets redacted). */
  private async send(channel: NotificationChannel, delivery: NotificationDelivery): Promise<string | null> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within notifications.timeoutMs (${this.deps.config.timeoutMs} ms)`));
      }, this.deps.config.timeoutMs);
    });
    const sending = this.deps.send(channel, delivery, controller.signal);
    sending.catch(() => undefined); // After a timeout, its late failure is nobody's business.
    try {
      await Promise.race([sending, timedOut]);
      return null;
    } catch (error) {
      const text = controller.signal.aborted ? (error as Error).message : describeFailure(error, controller.signal);
      return redactSecrets(channel, text).slice(0, 1_000);
    } finally {
      clearTimeout(timer);
    }
  }

  private updatePending(): void {
    this.deps.metrics.notificationPending.set(this.pendingCount());
  }
}
