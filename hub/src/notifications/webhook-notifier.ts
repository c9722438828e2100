import { randomUUID } from "node:crypto";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { EventBus, HubEvent } from "../events/event-bus.js";
import { signWebhook } from "./webhook-signature.js";

const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 60_000;

/** What one attempt came to: delivered, worth another attempt, or failed for good. */
type Attempt = "delivered" | "retry" | "give-up";

interface Delivery {
  id: string;
  body: string;
  type: HubEvent["type"];
  attempts: number;
}

/**
 * POSTs every hub event to the configured webhook URL, in order. Each attempt is signed with
 * HMAC-SHA256 over its timestamp, the delivery id and the body (`X-Telehub-Timestamp`,
 * `X-Telehub-Delivery`, `X-Telehub-Signature`: see webhook-signature.ts), so a receiver can refuse
 * replays. A failed attempt (network error or a non-2xx answer) is retried with capped
 * exponential backoff, at most 8 times; the queue is bounded (`maxQueued`, the oldest dropped and
 * logged first). Redirects are not followed (the signed POST would go to another address): a 3xx
 * fails the delivery for good, logged with its `Location`. Event bodies carry no secret value
 * (the services publish them redacted).
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
      const attempt = await this.deliver(delivery);
      if (attempt === "delivered" || attempt === "give-up") {
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

  private async deliver(delivery: Delivery): Promise<Attempt> {
    // A fresh timestamp per attempt (a retry must not look stale); the same delivery id, so a receiver can drop a repeat.
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(this.config.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telehub-event": delivery.type,
          "x-telehub-delivery": delivery.id,
          "x-telehub-timestamp": timestamp,
          "x-telehub-signature": signWebhook(this.config.secret, timestamp, delivery.id, delivery.body),
        },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return "delivered";
      if (response.status >= 300 && response.status < 400) {
        // Retrying would meet the same redirect; following it would send the signed POST elsewhere.
        this.log.error(
          { delivery: delivery.id, type: delivery.type, status: response.status, location: response.headers.get("location") },
          "webhook answered with a redirect, which the hub does not follow: event dropped; set webhooks.url to the final address",
        );
        return "give-up";
      }
      this.log.warn({ delivery: delivery.id, status: response.status }, "webhook answered with an error; will retry");
    } catch (error) {
      this.log.warn({ delivery: delivery.id, err: error }, "webhook unreachable; will retry");
    }
    return "retry";
  }
}
