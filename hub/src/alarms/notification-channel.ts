import type { AlarmTransitionKind } from "./alarm.js";
import type { Severity } from "./rule.js";

export type ChannelKind = "email" | "webhook" | "slack";

/** SMTP. `security`: `tls` (implicit TLS, usually port 465), `starttls` (required upgrade, usually 587), `none` (plain; refused unless the host is loopback). */
export interface EmailSettings {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  /** With `password`: SMTP AUTH. */
  username?: string;
  /** Write-only. */
  password?: string;
  from: string;
  to: string[];
  /** PEM of a CA to trust besides the system's (a private mail server). */
  ca?: string;
}

/** A signed JSON POST like the hub's event webhooks (X-Telehub-Signature over timestamp, delivery id and body). */
export interface WebhookSettings {
  url: string;
  /** Write-only. HMAC-SHA256 key. */
  secret?: string;
}

/** A Slack- or Mattermost-compatible incoming webhook (`{"text": …}`). The URL holds the token: write-only. */
export interface SlackSettings {
  url?: string;
  /** Mattermost/legacy Slack override of the posting name. */
  username?: string;
}

/** Which settings are secret per kind: never returned by the API, kept when an update leaves them out. */
export const SECRET_SETTINGS: Record<ChannelKind, readonly string[]> = {
  email: ["password"],
  webhook: ["secret"],
  slack: ["url"],
};

/** What a channel sends on. `repeated` is the reminder for an alarm still active and unacknowledged. */
export type NotifyOn = AlarmTransitionKind;

/** What a client sends to create or replace a channel. */
export interface ChannelDefinition {
  name: string;
  enabled: boolean;
  kind: ChannelKind;
  settings: EmailSettings | WebhookSettings | SlackSettings;
  /** Severities that notify (the alarm's severity after the step). */
  severities: Severity[];
  /** Steps that notify. */
  on: NotifyOn[];
  /** Remind every `repeatIntervalMs` while an alarm is active and unacknowledged; 0 = never. */
  repeatIntervalMs: number;
  /** At most `count` messages per `windowMs`; more in that window go into one digest sent when it ends. */
  rateLimit: { count: number; windowMs: number };
}

/** A stored channel (secrets included: never sent out as is; see {@link ChannelView}). */
export interface NotificationChannel extends ChannelDefinition {
  /** `ch_<random>`. */
  id: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  updatedBy: string | null;
}

/** A channel as the API shows it: secret settings left out, `secretsSet` names those that have a value. */
export interface ChannelView extends Omit<NotificationChannel, "settings"> {
  settings: Record<string, unknown>;
  secretsSet: string[];
}

export type DeliveryKind = "alarm" | "repeat" | "digest" | "test";
export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One attempt to hand a message to a channel. */
export interface DeliveryAttempt {
  at: number;
  ok: boolean;
  durationMs: number;
  /** What went wrong, for people (SMTP reply, HTTP status, network error); null when ok. */
  error: string | null;
}

/** One message for one channel, with every attempt to send it. */
export interface NotificationDelivery {
  /** `dlv_<random>`. */
  id: string;
  channelId: string;
  kind: DeliveryKind;
  /** The alarms it tells about (one, or a digest's many; none for a test). */
  alarmIds: string[];
  /** The step it tells about (alarm deliveries), else null. */
  event: NotifyOn | null;
  /** Subject line / first line, for lists. */
  summary: string;
  /** The rendered message (text), kept so a retry sends the same thing. */
  body: string;
  status: DeliveryStatus;
  createdAt: number;
  /** When the next attempt is due (pending), else null. */
  nextAttemptAt: number | null;
  attempts: DeliveryAttempt[];
}
