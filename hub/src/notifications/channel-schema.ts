import { X509Certificate } from "node:crypto";
import type { ChannelDefinition, ChannelKind, NotificationChannel } from "../alarms/notification-channel.js";
import { SECRET_SETTINGS } from "../alarms/notification-channel.js";
import { SEVERITIES } from "../alarms/rule.js";

/** Limits of a channel definition, checked by {@link validateChannel}. */
export const CHANNEL_LIMITS = {
  maxNameLength: 100,
  maxRecipients: 50,
  maxRateCount: 10_000,
  minWindowMs: 1_000,
  maxWindowMs: 86_400_000,
  maxRepeatIntervalMs: 2_592_000_000,
  maxUrlLength: 2_048,
  maxSecretLength: 1_024,
  maxCaLength: 65_536,
} as const;

const NOTIFY_ON = ["raised", "escalated", "deescalated", "cleared", "acknowledged"] as const;

/** Which settings each kind takes; any other is refused. */
const KIND_SETTINGS: Record<ChannelKind, readonly string[]> = {
  email: ["host", "port", "security", "username", "password", "from", "to", "ca"],
  webhook: ["url", "secret"],
  slack: ["url", "username"],
};

/**
 * The body of `POST /notification-channels` (PUT adds `version`). `settings` lists every kind's
 * settings; {@link validateChannel} refuses those that are not the channel kind's.
 */
export const CHANNEL_DEFINITION_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name", "kind", "settings", "severities", "on"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: CHANNEL_LIMITS.maxNameLength },
    enabled: { type: "boolean", default: true },
    kind: { type: "string", enum: ["email", "webhook", "slack"] },
    settings: {
      type: "object",
      additionalProperties: false,
      description:
        "email: host, port, security (tls | starttls | none, none to a loopback host only), username, password (write-only), from, to, ca; " +
        "webhook: url, secret (write-only); slack: url (write-only), username",
      properties: {
        host: { type: "string", minLength: 1, maxLength: 253 },
        port: { type: "integer", minimum: 1, maximum: 65_535 },
        security: { type: "string", enum: ["tls", "starttls", "none"] },
        username: { type: "string", minLength: 1, maxLength: 256 },
        password: { type: "string", minLength: 1, maxLength: CHANNEL_LIMITS.maxSecretLength, description: "Write-only" },
        from: { type: "string", minLength: 3, maxLength: 320 },
        to: { type: "array", minItems: 1, maxItems: CHANNEL_LIMITS.maxRecipients, items: { type: "string", minLength: 3, maxLength: 320 } },
        ca: { type: "string", maxLength: CHANNEL_LIMITS.maxCaLength, description: "PEM of a CA to trust besides the system's" },
        url: { type: "string", minLength: 8, maxLength: CHANNEL_LIMITS.maxUrlLength, description: "Write-only for slack" },
        secret: { type: "string", minLength: 1, maxLength: CHANNEL_LIMITS.maxSecretLength, description: "Write-only" },
      },
    },
    severities: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", enum: [...SEVERITIES] } },
    on: { type: "array", uniqueItems: true, items: { type: "string", enum: [...NOTIFY_ON] } },
    repeatIntervalMs: { type: "integer", minimum: 0, maximum: CHANNEL_LIMITS.maxRepeatIntervalMs, default: 0 },
    rateLimit: {
      type: "object",
      additionalProperties: false,
      required: ["count", "windowMs"],
      default: { count: 10, windowMs: 300_000 },
      properties: {
        count: { type: "integer", minimum: 1, maximum: CHANNEL_LIMITS.maxRateCount },
        windowMs: { type: "integer", minimum: CHANNEL_LIMITS.minWindowMs, maximum: CHANNEL_LIMITS.maxWindowMs },
      },
    },
  },
} as const;

/** What is wrong with a definition: the field as a dotted path and a sentence for people. */
export interface ChannelProblem {
  field: string;
  message: string;
}

const EMAIL_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
/** `a@b.example` or `Name <a@b.example>`. */
const FROM_ADDRESS = /^(?:[^<>\r\n]*<[^\s@<>",;]+@[^\s@<>",;]+>|[^\s@<>",;]+@[^\s@<>",;]+)$/;

/** Whether `host` names this machine (the only place plain SMTP may go). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string" || value.length > CHANNEL_LIMITS.maxUrlLength) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/**
 * The definition with the stored channel's secret settings filled in where it leaves them out
 * (an update keeps a secret it does not repeat). Secrets of another kind are not carried over.
 */
export function withKeptSecrets(definition: ChannelDefinition, existing?: NotificationChannel): ChannelDefinition {
  if (!existing || existing.kind !== definition.kind) return definition;
  const settings: Record<string, unknown> = { ...definition.settings };
  const stored = existing.settings as unknown as Record<string, unknown>;
  for (const key of SECRET_SETTINGS[definition.kind])
    if (settings[key] === undefined && stored[key] !== undefined) settings[key] = stored[key];
  return { ...definition, settings: settings as unknown as ChannelDefinition["settings"] };
}

function emailProblem(settings: Record<string, unknown>): ChannelProblem | undefined {
  const host = settings.host;
  if (typeof host !== "string" || host.trim() === "" || /\s/.test(host))
    return { field: "settings.host", message: "the SMTP server's host name or address is required" };
  if (!Number.isInteger(settings.port) || (settings.port as number) < 1 || (settings.port as number) > 65_535)
    return { field: "settings.port", message: "the SMTP port (1–65535) is required: 465 for tls, 587 for starttls" };
  if (!["tls", "starttls", "none"].includes(settings.security as string))
    return { field: "settings.security", message: "security is tls (implicit TLS), starttls (required upgrade) or none" };
  if (settings.security === "none" && !isLoopbackHost(host))
    return {
      field: "settings.security",
      message: "plain SMTP (security none) is only allowed to a loopback host (localhost, 127.0.0.1, ::1): use starttls or tls",
    };
  if ((settings.username === undefined) !== (settings.password === undefined))
    return {
      field: settings.username === undefined ? "settings.username" : "settings.password",
      message: "SMTP AUTH takes both a username and a password",
    };
  if (typeof settings.from !== "string" || !FROM_ADDRESS.test(settings.from))
    return { field: "settings.from", message: "from is an e-mail address (a@example.com or Name <a@example.com>)" };
  const to = settings.to;
  if (!Array.isArray(to) || to.length === 0 || to.length > CHANNEL_LIMITS.maxRecipients)
    return { field: "settings.to", message: `to lists 1 to ${CHANNEL_LIMITS.maxRecipients} e-mail addresses` };
  const bad = to.findIndex((address) => typeof address !== "string" || !EMAIL_ADDRESS.test(address));
  if (bad >= 0) return { field: `settings.to.${bad}`, message: `${JSON.stringify(to[bad])} is not an e-mail address` };
  if (settings.ca !== undefined) {
    try {
      new X509Certificate(settings.ca as string);
    } catch {
      return { field: "settings.ca", message: "ca is a PEM certificate (-----BEGIN CERTIFICATE----- …)" };
    }
  }
  return undefined;
}

function settingsProblem(kind: ChannelKind, settings: Record<string, unknown>): ChannelProblem | undefined {
  for (const key of Object.keys(settings))
    if (!KIND_SETTINGS[kind].includes(key))
      return { field: `settings.${key}`, message: `${key} is not a setting of a ${kind} channel (${KIND_SETTINGS[kind].join(", ")})` };
  if (kind === "email") return emailProblem(settings);
  if (!isHttpUrl(settings.url)) return { field: "settings.url", message: "url is an http(s) address without user name or password" };
  if (kind === "webhook" && (typeof settings.secret !== "string" || settings.secret === ""))
    return { field: "settings.secret", message: "a webhook channel needs the secret its deliveries are signed with" };
  return undefined;
}

/**
 * Checks what the schema cannot: the settings of the channel's kind (e-mail addresses, http(s)
 * URLs, plain SMTP only to loopback, a PEM `ca`), secrets required on create (on update, those
 * left out are taken from `existing`), the rate limit and repeat interval.
 */
export function validateChannel(definition: ChannelDefinition, existing?: NotificationChannel): ChannelProblem | undefined {
  const name = definition.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > CHANNEL_LIMITS.maxNameLength)
    return { field: "name", message: `name is 1 to ${CHANNEL_LIMITS.maxNameLength} characters` };
  if (!(definition.kind in KIND_SETTINGS)) return { field: "kind", message: "kind is email, webhook or slack" };
  const settings = withKeptSecrets(definition, existing).settings as unknown as Record<string, unknown>;
  if (settings === null || typeof settings !== "object") return { field: "settings", message: "settings is an object" };
  const problem = settingsProblem(definition.kind, settings);
  if (problem) return problem;
  const severities = definition.severities;
  if (
    !Array.isArray(severities) ||
    severities.length === 0 ||
    new Set(severities).size !== severities.length ||
    severities.some((s) => !SEVERITIES.includes(s))
  )
    return { field: "severities", message: `severities lists one or more distinct of ${SEVERITIES.join(", ")}` };
  const on = definition.on;
  if (!Array.isArray(on) || new Set(on).size !== on.length || on.some((kind) => !(NOTIFY_ON as readonly string[]).includes(kind)))
    return { field: "on", message: `on lists distinct steps of ${NOTIFY_ON.join(", ")}` };
  const repeat = definition.repeatIntervalMs;
  if (!Number.isInteger(repeat) || repeat < 0 || repeat > CHANNEL_LIMITS.maxRepeatIntervalMs)
    return { field: "repeatIntervalMs", message: `repeatIntervalMs is 0 (never) to ${CHANNEL_LIMITS.maxRepeatIntervalMs} ms (30 days)` };
  if (repeat > 0 && repeat < CHANNEL_LIMITS.minWindowMs)
    return { field: "repeatIntervalMs", message: `repeatIntervalMs is 0 (never) or at least ${CHANNEL_LIMITS.minWindowMs} ms` };
  const { count, windowMs } = definition.rateLimit ?? {};
  if (!Number.isInteger(count) || count < 1 || count > CHANNEL_LIMITS.maxRateCount)
    return { field: "rateLimit.count", message: `rateLimit.count is 1 to ${CHANNEL_LIMITS.maxRateCount} messages per window` };
  if (!Number.isInteger(windowMs) || windowMs < CHANNEL_LIMITS.minWindowMs || windowMs > CHANNEL_LIMITS.maxWindowMs)
    return {
      field: "rateLimit.windowMs",
      message: `rateLimit.windowMs is ${CHANNEL_LIMITS.minWindowMs} to ${CHANNEL_LIMITS.maxWindowMs} ms`,
    };
  return undefined;
}
