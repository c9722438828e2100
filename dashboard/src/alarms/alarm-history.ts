import type { Alarm, AlarmTransition, Severity } from "@telehub/hub";
import type { ChartSpan } from "../charts/chart-span.js";
import { formatDuration } from "../charts/format.js";
import { severityLabel } from "./severity.js";

/** An alarm as `GET /alarms/:id` (or a list with `include=transitions`) answers it: with its history. */
export type AlarmWithTransitions = Alarm & { transitions: AlarmTransition[] };

/** The transitions that change what an alarm's span looks like (an acknowledgement does not). */
const SPAN_KINDS = new Set(["raised", "escalated", "deescalated", "cleared"]);

/**
 * The spans of one alarm, a span per severity it held in turn, from its transitions: each
 * raise, escalation and de-escalation starts a span; the next one (or the clear) ends it. An
 * active alarm's last span ends at `now` (never before the step that began it).
 */
export function alarmSpans(alarm: Pick<Alarm, "status" | "clearedAt">, transitions: readonly AlarmTransition[], now: number): ChartSpan[] {
  const steps = transitions.filter((t) => SPAN_KINDS.has(t.kind)).sort((a, b) => a.seq - b.seq);
  const spans: ChartSpan[] = [];
  let open: { from: number; severity: Severity } | undefined;
  for (const step of steps) {
    if (open && step.at > open.from) spans.push({ from: open.from, to: step.at, severity: open.severity });
    open = step.kind === "cleared" ? undefined : { from: step.at, severity: step.severity };
  }
  if (open) {
    const end = alarm.status === "active" ? now : (alarm.clearedAt ?? now);
    spans.push({ from: open.from, to: Math.max(end, open.from), severity: open.severity });
  }
  return spans;
}

/** How long an alarm has been (or was) active: to its clear, or to `now`. */
export function alarmDuration(alarm: Pick<Alarm, "raisedAt" | "clearedAt">, now: number): number {
  return Math.max(0, (alarm.clearedAt ?? now) - alarm.raisedAt);
}

/** The duration in an operator's words: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h". */
export function durationText(ms: number): string {
  return ms < 1_000 ? "under 1 s" : formatDuration(Math.floor(ms / 1_000) * 1_000);
}

/** Who did a step: the rule, the hub (a deleted device or rule), or a person by name. */
export function actorText(by: string | null, byName: string | null): string {
  if (by === null) return "–";
  if (by === "rule") return "the rule";
  if (by === "system") return "the hub";
  return byName ?? by.replace(/^(user|key):/, "");
}

/** What a step did, in words: "Raised as Critical", "Escalated to Critical", "Cleared", … */
export function transitionText(transition: Pick<AlarmTransition, "kind" | "severity">): string {
  const severity = severityLabel(transition.severity);
  switch (transition.kind) {
    case "raised":
      return `Raised as ${severity}`;
    case "escalated":
      return `Escalated to ${severity}`;
    case "deescalated":
      return `De-escalated to ${severity}`;
    case "cleared":
      return "Cleared";
    case "acknowledged":
      return "Acknowledged";
  }
}

/** A count with its noun: "1 alarm", "3 alarms", "no alarms". */
export function countText(count: number, noun: string): string {
  if (count === 0) return `no ${noun}s`;
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
