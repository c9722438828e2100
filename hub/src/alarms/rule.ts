import type { MetricValue } from "@telehub/device-client/protocol";

/** Alarm severities, most severe first. */
export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank of a severity: critical 4 … warning 1 (higher is more severe). */
export function severityRank(severity: Severity): number {
  // A switch, not a lookup table: it runs several times per reading and rule, and a keyed load
  // with a changing key costs several times more.
  switch (severity) {
    case "critical":
      return 4;
    case "major":
      return 3;
    case "minor":
      return 2;
    case "warning":
      return 1;
  }
}

/** Which devices a rule watches: one device, every device with a profile, or every device whose labels include all of `labels`. */
export type RuleScope =
  | { kind: "device"; deviceId: string }
  | { kind: "profile"; profileId: string }
  | { kind: "labels"; labels: Record<string, string> };

/**
 * One severity level of a metric condition. `hysteresis` (≥ 0, default 0) is the dead band a held
 * level needs to let go: `above 80` with hysteresis 5 raises above 80 and lets go below 75;
 * `outside [10, 30]` with 2 lets go inside [12, 28]; `inside [10, 30]` with 2 lets go outside [8, 32].
 * `equals` / `notEquals` compare booleans, strings and numbers exactly (no hysteresis).
 */
export type Level =
  | { severity: Severity; op: "above" | "below"; value: number; hysteresis?: number }
  | { severity: Severity; op: "outside" | "inside"; low: number; high: number; hysteresis?: number }
  | { severity: Severity; op: "equals" | "notEquals"; value: number | boolean | string };

/** A condition on one metric's values (or on its rate of change), with up to four severity levels. */
export interface MetricCondition {
  kind: "metric";
  metric: string;
  /** Evaluate the rate of change over `windowMs`, in units per `per`, instead of the value. */
  rate?: { windowMs: number; per: "second" | "minute" | "hour" };
  /** Distinct severities; order does not matter. */
  levels: Level[];
  /** How long a level must hold (device time) before the alarm is raised or escalated to it; 0 = at once. */
  forMs: number;
}

/** No reading (of `metric`, or of any metric when absent) for `afterMs`: data freshness. */
export interface NoDataCondition {
  kind: "noData";
  metric?: string;
  afterMs: number;
  severity: Severity;
}

/** The device has been disconnected for `afterMs`: presence. */
export interface OfflineCondition {
  kind: "offline";
  afterMs: number;
  severity: Severity;
}

export type Condition = MetricCondition | NoDataCondition | OfflineCondition;

/**
 * How an active alarm ends. `auto`: once the condition has not held for `quietMs` (0 = at once; the
 * quiet period), the alarm clears itself. `manual`: only an operator clears it; its severity only
 * goes up while active.
 */
export type ClearPolicy = { mode: "auto"; quietMs: number } | { mode: "manual" };

/** What a client sends to create or replace a rule. */
export interface RuleDefinition {
  name: string;
  description?: string;
  enabled: boolean;
  scope: RuleScope;
  condition: Condition;
  clear: ClearPolicy;
  /**
   * After an operator clears an alarm while its condition still holds, a new alarm is raised once
   * the condition has held `reRaiseAfterMs` longer (measured from the manual clear).
   */
  reRaiseAfterMs: number;
}

/** A stored rule. */
export interface AlarmRule extends RuleDefinition {
  /** `rule_<random>`, made by the hub. */
  id: string;
  /** 1 at creation, +1 per update (optimistic concurrency like profiles). */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Who last changed it (`user:<username>` / `key:<id>`). */
  updatedBy: string | null;
}

/** One input the evaluator consumes. `ts` is device time for readings, hub time for presence. */
export type EvaluationInput =
  | { kind: "reading"; ts: number; value: MetricValue }
  | { kind: "anyReading"; ts: number }
  | { kind: "presence"; connected: boolean; at: number };
