import type { EmailSettings, NotificationChannel, SlackSettings, WebhookSettings } from "../alarms/notification-channel.js";
import { sendEmail } from "./email-sender.js";
import type { OutgoingMessage } from "./outgoing-message.js";
import { sendSlack } from "./slack-sender.js";
import { sendWebhook } from "./webhook-sender.js";

/** Hands `message` to `channel` by its kind; throws a SendError (or any error) when the attempt failed. */
export async function sendToChannel(
  channel: NotificationChannel,
  message: OutgoingMessage,
  options: { signal: AbortSignal; timeoutMs: number; nowMs: number },
): Promise<void> {
  switch (channel.kind) {
    case "email":
      return sendEmail(channel.settings as EmailSettings, message, options.timeoutMs);
    case "webhook":
      return sendWebhook(channel.settings as WebhookSettings, message, options.signal, options.nowMs);
    case "slack":
      return sendSlack(channel.settings as SlackSettings, message, options.signal);
  }
}
