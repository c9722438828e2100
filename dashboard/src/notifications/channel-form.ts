import type { ChannelDefinition, ChannelKind, ChannelView, NotifyOn, Severity } from "@telehub/hub";
import { durationText, parseDuration } from "../alarm-rules/duration";

/**
 * The channel form's values. Each kind's settings live under its own name (`email.host`,
 * `webhook.url`, `slack.url`), so switching the kind while creating loses nothing typed. Secret
 * settings start empty: the hub never returns them; left empty on an edit, the hub keeps them.
 */
export interface ChannelFormValues {
  name: string;
  enabled: boolean;
  kind: ChannelKind;
  email: {
    host?: string;
    port?: number;
    security?: "tls" | "starttls" | "none";
    username?: string;
    password?: string;
    from?: string;
    /** Recipients, one per line or separated by commas. */
    toText?: string;
    ca?: string;
  };
  webhook: { url?: string; secret?: string };
  slack: { url?: string; username?: string };
  severities: Severity[];
  on: NotifyOn[];
  repeatText: string;
  rateCount: number;
  rateWindowText: string;
}

/** A new channel: every severity, on raise, escalation and clear, no reminders, at most 10 messages per 5 min (then a digest). */
export function newChannelValues(): ChannelFormValues {
  return {
    name: "",
    enabled: true,
    kind: "email",
    email: { port: 587, security: "starttls" },
    webhook: {},
    slack: {},
    severities: ["critical", "major", "minor", "warning"],
    on: ["raised", "escalated", "cleared"],
    repeatText: "0",
    rateCount: 10,
    rateWindowText: "5 min",
  };
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The form's values for a stored channel (secrets empty: see {@link ChannelFormValues}). */
export function toFormValues(channel: ChannelView): ChannelFormValues {
  const values = newChannelValues();
  const s = channel.settings;
  if (channel.kind === "email")
    values.email = {
      host: str(s.host),
      port: typeof s.port === "number" ? s.port : undefined,
      security: str(s.security) as ChannelFormValues["email"]["security"],
      username: str(s.username),
      from: str(s.from),
      toText: Array.isArray(s.to) ? s.to.join("\n") : "",
      ca: str(s.ca) ?? "",
    };
  if (channel.kind === "webhook") values.webhook = { url: str(s.url) };
  if (channel.kind === "slack") values.slack = { username: str(s.username) ?? "" };
  return {
    ...values,
    name: channel.name,
    enabled: channel.enabled,
    kind: channel.kind,
    severities: channel.severities,
    on: channel.on,
    repeatText: durationText(channel.repeatIntervalMs),
    rateCount: channel.rateLimit.count,
    rateWindowText: durationText(channel.rateLimit.windowMs),
  };
}

const text = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** Only the settings that were given: an empty secret is left out (kept on update), an empty optional setting too. */
function settingsOf(values: ChannelFormValues): ChannelDefinition["settings"] {
  if (values.kind === "webhook") {
    const { url, secret } = values.webhook ?? {};
    return { url: text(url) ?? "", ...(secret && { secret }) };
  }
  if (values.kind === "slack") {
    const { url, username } = values.slack ?? {};
    return { ...(text(url) && { url: text(url) }), ...(text(username) && { username: text(username) }) };
  }
  const email = values.email ?? {};
  const to = (email.toText ?? "").split(/[\n,;]/).flatMap((address) => text(address) ?? []);
  return {
    host: text(email.host) ?? "",
    port: Number(email.port),
    security: email.security ?? "starttls",
    ...(text(email.username) && { username: text(email.username) }),
    ...(email.password && { password: email.password }),
    from: text(email.from) ?? "",
    to,
    ...(text(email.ca) && { ca: text(email.ca) }),
  };
}

/** The definition `POST /notification-channels` and `PUT /notification-channels/:id` take. */
export function toDefinition(values: ChannelFormValues): ChannelDefinition {
  return {
    name: text(values.name) ?? "",
    enabled: values.enabled !== false,
    kind: values.kind,
    settings: settingsOf(values),
    severities: values.severities ?? [],
    on: values.on ?? [],
    repeatIntervalMs: parseDuration(values.repeatText) ?? Number.NaN,
    rateLimit: { count: Number(values.rateCount), windowMs: parseDuration(values.rateWindowText) ?? Number.NaN },
  };
}

/**
 * The form input of a field the hub names in a `TH_API_CHANNEL_INVALID` refusal
 * (`settings.to.1` → `email.toText`, `rateLimit.windowMs` → `rateWindowText`); undefined for none.
 */
export function formFieldOf(field: string, kind: ChannelKind): string | undefined {
  const path = field
    .replace(/^\//, "")
    .replace(/\//g, ".")
    .replace(/\[(\d+)\]/g, ".$1");
  const setting = /^settings\.([a-z]+)/i.exec(path);
  if (setting) return `${kind}.${setting[1] === "to" ? "toText" : setting[1]}`;
  const fixed: Record<string, string> = {
    name: "name",
    kind: "kind",
    severities: "severities",
    on: "on",
    repeatIntervalMs: "repeatText",
    "rateLimit.count": "rateCount",
    "rateLimit.windowMs": "rateWindowText",
    rateLimit: "rateCount",
  };
  for (const [prefix, input] of Object.entries(fixed)) if (path === prefix || path.startsWith(`${prefix}.`)) return input;
  return undefined;
}
