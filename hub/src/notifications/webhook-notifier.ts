import { randomUUID } from "node:crypto";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { EventBus, HubEvent } from "../events/event-bus.js";
import { signWebhookBody } from "./webhook-signature.js";

const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 60_000;

interface Delivery {
  id: string;
  body: string;
  type: HubEvent["type"];
  attempts: number;
}

/**
 * POSTs every hub event to the configured webhook URL, in order, signed with HMAC-SHA256
 * (`X-Telehub-Signature`). A failed delivery (network error or a non-2xx answer) is retried
 * with capped exponential backoff, at most 8 times; the queue is bounded (`maxQueued`, the
 * oldest dropped and logged first).
 */
export class WebhookNotifier {
  private readonly queue: Delivery[] = [];
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly config: HubConfig["webhooks"],
    private readonly bus: EventBus,
    private readonly log: pino.Logger,
  ) {
    if (!config.secret) throw new Error("webhooks.secret (TELEHUB_WEBHOOKS_SECRET) is required when webhooks.url is set");
  }

  start(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.enqueue(event));
    this.running = this.loop();
  }

  /** Stop taking events; deliveries still queued are dropped (logged). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.running;
    if (this.queue.length > 0) this.log.warn({ dropped: this.queue.length }, "webhook deliveries dropped at shutdown");
  }

  private enqueue(event: HubEvent): void {
    const { type, at, ...data } = event;
    this.queue.push({ id: randomUUID(), type, body: JSON.stringify({ type, at, data }), attempts: 0 });
    if (this.queue.length > this.config.maxQueued) {
      const dropped = this.queue.shift();
      this.log.warn({ delivery: dropped?.id, type: dropped?.type }, "webhook queue full (webhooks.maxQueued): oldest event dropped");
    }
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const delivery = this.queue[0];
      if (!delivery) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      if (await this.deliver(delivery)) {
        this.queue.shift();
        continue;
      }
      delivery.attempts++;
      if (delivery.attempts >= MAX_ATTEMPTS) {
        this.log.error({ delivery: delivery.id, type: delivery.type }, "webhook delivery failed for good; event dropped");
        this.queue.shift();
        continue;
      }
      const delayMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** delivery.attempts) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async deliver(delivery: Delivery): Promise<boolean> {
    try {
      const response = await fetch(this.config.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telehub-event": delivery.type,
          "x-telehub-delivery": delivery.id,
          "x-telehub-signature": signWebhookBody(this.config.secret, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      this.log.warn({ delivery: delivery.id, status: response.status }, "webhook answered with an error; will retry");
    } catch (error) {
      this.log.warn({ delivery: delivery.id, err: error }, "webhook unreachable; will retry");
    }
    return false;
  }
}
