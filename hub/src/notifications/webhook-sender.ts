import type { WebhookSettings } from "../alarms/notification-channel.js";
import { postJson } from "./http-post.js";
import { type OutgoingMessage, SendError } from "./outgoing-message.js";
import { signWebhook } from "./webhook-signature.js";

const TYPES = { alarm: "alarm.notification", repeat: "alarm.notification", digest: "alarm.digest", test: "alarm.test" } as const;

/** The JSON a webhook channel receives. */
export function webhookBody(message: OutgoingMessage): string {
  const { delivery, alarms } = message;
  return JSON.stringify({
    type: TYPES[delivery.kind],
    delivery: delivery.id,
    kind: delivery.kind,
    alarms,
    event: delivery.event,
    summary: delivery.summary,
    text: delivery.body,
  });
}

/**
 * POSTs the message as JSON signed like the hub's event webhooks: `X-Telehub-Event` (the body's
 * `type`), `X-Telehub-Delivery` (the delivery id, the same on every attempt), `X-Telehub-Timestamp`
 * (fresh per attempt) and `X-Telehub-Signature` (see webhook-signature.ts).
 */
export async function sendWebhook(settings: WebhookSettings, message: OutgoingMessage, signal: AbortSignal, nowMs: number): Promise<void> {
  if (!settings.secret) throw new SendError("the channel has no secret to sign with");
  const body = webhookBody(message);
  const timestamp = String(Math.floor(nowMs / 1000));
  await postJson(
    settings.url,
    body,
    {
      "x-telehub-event": TYPES[message.delivery.kind],
      "x-telehub-delivery": message.delivery.id,
      "x-telehub-timestamp": timestamp,
      "x-telehub-signature": signWebhook(settings.secret, timestamp, message.delivery.id, body),
    },
    signal,
  );
}
