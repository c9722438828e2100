import type { SlackSettings } from "../alarms/notification-channel.js";
import { postJson } from "./http-post.js";
import { type OutgoingMessage, SendError } from "./outgoing-message.js";

/** Slack's mrkdwn control characters made literal (`&`, `<`, `>`); Mattermost reads them the same. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The `{ text, username? }` of a Slack- or Mattermost-compatible incoming webhook. */
export function slackBody(settings: SlackSettings, message: OutgoingMessage): string {
  const text = `*${escapeMrkdwn(message.delivery.summary)}*\n${escapeMrkdwn(message.delivery.body)}`;
  return JSON.stringify(settings.username ? { text, username: settings.username } : { text });
}

/** POSTs the message to the incoming webhook URL (which carries its token: never logged). */
export async function sendSlack(settings: SlackSettings, message: OutgoingMessage, signal: AbortSignal): Promise<void> {
  if (!settings.url) throw new SendError("the channel has no incoming webhook URL");
  await postJson(settings.url, slackBody(settings, message), {}, signal);
}
