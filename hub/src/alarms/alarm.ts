import type { MetricValue } from "@telehub/device-client/protocol";
import type { Severity } from "./rule.js";

/** `active` until cleared (by the rule or by someone); an alarm is "open" while active. */
export type AlarmStatus = "active" | "cleared";

/**
 * What happened to an alarm. `raised`: it was created (also a re-raise after a manual clear, a new
 * alarm); `escalated` / `deescalated`: its severity changed; `cleared`: by the rule (condition gone,
 * quiet period over), by someone, because its device or rule was deleted; `acknowledged`: someone
 * saw it.
 */
export type AlarmTransitionKind = "raised" | "escalated" | "deescalated" | "cleared" | "acknowledged";

/** One stored step of an alarm's life. */
export interface AlarmTransition {
  alarmId: string;
  /** 1, 2, … per alarm. */
  seq: number;
  kind: AlarmTransitionKind;
  /** When it happened: device time for what readings caused, the deadline for durations/no data/offline, hub time for people. */
  at: number;
  /** The alarm's severity after the step. */
  severity: Severity;
  /** `rule` for the evaluator, `user:<username>` / `key:<id>` for people, `system` for a deleted device or rule. */
  by: string;
  /** The display name of `by` (username or key name), or null for `rule` / `system`. */
  byName: string | null;
  comment: string | null;
  /** The value that caused it (readings), or null. */
  value: MetricValue | null;
}

/** An alarm of one rule on one device. At most one per (rule, device) is active at a time. */
export interface Alarm {
  /** `alm_<random>`. */
  id: string;
  ruleId: string;
  /** The rule's name when the alarm was raised (kept if the rule is renamed or deleted). */
  ruleName: string;
  deviceId: string;
  /** The device's profile when raised, or null. */
  profileId: string | null;
  severity: Severity;
  /** The highest severity it reached. */
  peakSeverity: Severity;
  status: AlarmStatus;
  acknowledged: boolean;
  raisedAt: number;
  updatedAt: number;
  clearedAt: number | null;
  clearedBy: string | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** The newest value that moved it, or null (no data, offline). */
  value: MetricValue | null;
  /** In operator words, e.g. "temperature 92.4 above 90 for 5 min". */
  message: string;
}
