import type { AlarmQuery } from "../storage/alarm-repository.js";
import type { Alarm, AlarmTransition } from "./alarm.js";
import type { AlarmRule, RuleDefinition, Severity } from "./rule.js";

/** Who does something to an alarm or rule: `user:<username>` / `key:<id>` and a display name. */
export interface Actor {
  by: string;
  byName: string;
}

/** One alarm the backtest would have raised: its steps, and the spans of each severity (for shading). */
export interface BacktestAlarm {
  raisedAt: number;
  /** null: still active at the end of the range. */
  clearedAt: number | null;
  peakSeverity: Severity;
  steps: { kind: "raised" | "escalated" | "deescalated" | "cleared"; at: number; severity: Severity; message: string }[];
  /** Consecutive, non-overlapping; the last one ends at `clearedAt` or the range's end. */
  spans: { from: number; to: number; severity: Severity }[];
}

export interface BacktestResult {
  deviceId: string;
  from: number;
  to: number;
  /** Readings evaluated (capped by `alarms.maxBacktestPoints`). */
  points: number;
  /** True when the cap cut the range short: the result covers [from, the last point evaluated]. */
  truncated: boolean;
  alarms: BacktestAlarm[];
}

/** A backtest of a rule kind the hub cannot replay (offline: no connection history is kept). */
export class BacktestUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BacktestUnsupportedError";
  }
}

/** A rule that refers to something that does not exist (device, profile). */
export class RuleReferenceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RuleReferenceError";
  }
}

/** What the HTTP API needs from alarms (implemented by the alarm service). */
export interface AlarmApi {
  listRules(page: { limit: number; offset: number }): Promise<{ items: AlarmRule[]; total: number }>;
  getRule(id: string): Promise<AlarmRule | undefined>;
  /** Validated by the routes' schema and `validateRule` first; rejects with RuleReferenceError. */
  createRule(definition: RuleDefinition, actor: Actor): Promise<AlarmRule>;
  /** Rejects with RuleVersionConflictError / RuleReferenceError; undefined if none. Evaluation under the rule starts afresh. */
  updateRule(id: string, definition: RuleDefinition, actor: Actor, expectedVersion?: number): Promise<AlarmRule | undefined>;
  /** Its active alarms are cleared by `system` ("rule deleted"). */
  deleteRule(id: string, actor: Actor): Promise<boolean>;
  /** Replays stored history through the live evaluator. Rejects with BacktestUnsupportedError. */
  backtest(definition: RuleDefinition, deviceId: string, from: number, to: number): Promise<BacktestResult>;

  listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  transitions(id: string): Promise<AlarmTransition[] | undefined>;
  /** Undefined if none; an alarm already acknowledged is answered as it is (no second transition). */
  acknowledge(id: string, actor: Actor, comment: string | null): Promise<Alarm | undefined>;
  /** Undefined if none; an alarm already cleared is answered as it is. */
  clear(id: string, actor: Actor, comment: string | null): Promise<Alarm | undefined>;
  openCounts(): Promise<{ bySeverity: Record<Severity, number>; unacknowledged: number }>;
  /** Close (clear by `system`, "device deleted") the device's active alarms and forget its states. */
  deviceDeleted(deviceId: string): Promise<void>;
  /** A device was created or its labels or profile changed: the rules that watch it are resolved again. */
  deviceChanged(deviceId: string): Promise<void>;
}
