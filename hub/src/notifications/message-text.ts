import type { Alarm, AlarmTransition } from "../alarms/alarm.js";
import type { NotificationChannel } from "../alarms/notification-channel.js";
import type { Severity } from "../alarms/rule.js";

/** A message's subject line (summary) and text (body). */
export interface MessageText {
  summary: string;
  body: string;
}

/** The most lines a digest lists; the rest are counted ("… and N more"). */
export const DIGEST_MAX_LINES = 50;

const STEP_WORDS: Record<AlarmTransition["kind"], string> = {
  raised: "raised",
  escalated: "escalated",
  deescalated: "de-escalated",
  cleared: "cleared",
  acknowledged: "acknowledged",
};

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** `<base>/#/alarms/<id>`, or undefined without a base. */
export function alarmLink(linkBaseUrl: string, alarmId: string): string | undefined {
  return linkBaseUrl === "" ? undefined : `${linkBaseUrl.replace(/\/+$/, "")}/#/alarms/${encodeURIComponent(alarmId)}`;
}

/** `[CRITICAL] Boiler too hot on th-01: raised`; a reminder ends in `still active`. */
export function alarmSummary(alarm: Alarm, transition: AlarmTransition | null): string {
  const what = transition ? STEP_WORDS[transition.kind] : "still active";
  return `[${alarm.severity.toUpperCase()}] ${alarm.ruleName} on ${alarm.deviceId}: ${what}`;
}

/** The message about one alarm step (`transition`), or a reminder (`transition` null). */
export function alarmText(alarm: Alarm, transition: AlarmTransition | null, linkBaseUrl: string): MessageText {
  const lines = [alarm.message];
  if (transition?.byName)
    lines.push(`${STEP_WORDS[transition.kind]} by ${transition.byName}${transition.comment ? `: ${transition.comment}` : ""}`);
  else if (transition?.comment) lines.push(`${STEP_WORDS[transition.kind]}: ${transition.comment}`);
  const state = alarm.status === "active" ? (alarm.acknowledged ? "active, acknowledged" : "active, not acknowledged") : "cleared";
  lines.push(`Severity ${alarm.severity} (peak ${alarm.peakSeverity}), ${state}.`);
  lines.push(`Raised ${iso(alarm.raisedAt)}${alarm.clearedAt !== null ? `, cleared ${iso(alarm.clearedAt)}` : ""}.`);
  lines.push(`Device ${alarm.deviceId}, rule ${alarm.ruleName}, alarm ${alarm.id}.`);
  const link = alarmLink(linkBaseUrl, alarm.id);
  if (link) lines.push(link);
  return { summary: alarmSummary(alarm, transition), body: lines.join("\n") };
}

/** One line of a digest, e.g. `[MAJOR] Offline on th-07: raised (offline for 10 min)`. */
export function digestLine(alarm: Alarm, transition: AlarmTransition | null): string {
  return `${alarmSummary(alarm, transition)} (${alarm.message})`;
}

/**
 * The digest of the messages a channel's rate limit held back in one window: the first
 * {@link DIGEST_MAX_LINES} lines, then how many more. `count` is how many messages it stands for.
 */
export function digestText(
  channel: NotificationChannel,
  lines: readonly string[],
  count: number,
  highest: Severity,
  linkBaseUrl: string,
): MessageText {
  const { count: limit, windowMs } = channel.rateLimit;
  const body = [
    `${count} alarm notification${count === 1 ? "" : "s"} went over the rate limit of channel ${channel.name} (${limit} per ${windowMs / 1000} s):`,
    ...lines.slice(0, DIGEST_MAX_LINES).map((line) => `- ${line}`),
  ];
  const shown = Math.min(lines.length, DIGEST_MAX_LINES);
  if (count > shown) body.push(`… and ${count - shown} more`);
  if (linkBaseUrl !== "") body.push(`${linkBaseUrl.replace(/\/+$/, "")}/#/alarms`);
  return { summary: `[${highest.toUpperCase()}] Digest: ${count} alarm notification${count === 1 ? "" : "s"}`, body: body.join("\n") };
}

/** The text of "send test notification". */
export function testText(channel: NotificationChannel, byName: string): MessageText {
  return {
    summary: `[TEST] Telehub test notification: ${channel.name}`,
    body: `A test message sent by ${byName} from Telehub through the ${channel.kind} channel ${channel.name}. If you read this, the channel works.`,
  };
}
