import type { Alarm, AlarmStatus, AlarmTransition } from "../alarms/alarm.js";
import type { EvaluationState } from "../alarms/evaluation-state.js";
import type { AlarmRule, RuleDefinition, Severity } from "../alarms/rule.js";

export interface AlarmQuery {
  status?: AlarmStatus;
  acknowledged?: boolean;
  severity?: Severity;
  deviceId?: string;
  profileId?: string;
  ruleId?: string;
  /** Raised at or after / before (ms). */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

/** A new alarm with its first transition (`raised`). */
export type NewAlarm = Omit<
  Alarm,
  "id" | "peakSeverity" | "status" | "acknowledged" | "clearedAt" | "clearedBy" | "acknowledgedAt" | "acknowledgedBy" | "updatedAt"
> & {
  transition: Omit<AlarmTransition, "alarmId" | "seq">;
};

/**
 * Rules, alarms with their transitions, and the evaluator's durable state. Async so that a server
 * database can implement it; the SQLite one is synchronous underneath (one transaction per call).
 * All pass `test/contracts/alarm-repository.contract.ts`.
 */
export interface AlarmRepository {
  /** Sorted by name, then id. */
  listRules(page: { limit: number; offset: number }): Promise<{ items: AlarmRule[]; total: number }>;
  allRules(): Promise<AlarmRule[]>;
  getRule(id: string): Promise<AlarmRule | undefined>;
  createRule(definition: RuleDefinition, at: number, by: string | null): Promise<AlarmRule>;
  /** Rejects with {@link RuleVersionConflictError} when `expectedVersion` is given and is not current; undefined if none. */
  updateRule(
    id: string,
    definition: RuleDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<AlarmRule | undefined>;
  /** Deletes the rule and its evaluation states (its alarms stay, in history). */
  deleteRule(id: string): Promise<boolean>;

  /** Creates the alarm and its `raised` transition; rejects with {@link AlarmAlreadyOpenError} if (rule, device) has an active one. */
  raise(alarm: NewAlarm): Promise<Alarm>;
  /**
   * Appends a transition and applies it: severity (and peak), status `cleared` (clearedAt/By),
   * acknowledged (acknowledgedAt/By), value, message, updatedAt. Undefined if no such alarm.
   */
  transition(alarmId: string, step: Omit<AlarmTransition, "alarmId" | "seq">, message?: string): Promise<Alarm | undefined>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  /** The active alarm of (rule, device), if any. */
  activeAlarm(ruleId: string, deviceId: string): Promise<Alarm | undefined>;
  /** Active alarms of a device (or of a rule). */
  activeAlarms(filter: { deviceId?: string; ruleId?: string }): Promise<Alarm[]>;
  /** Newest raised first. */
  listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }>;
  /** Oldest first. */
  transitions(alarmId: string): Promise<AlarmTransition[]>;
  /** Active alarms per severity (every severity present, 0 when none), and active unacknowledged ones. */
  openCounts(): Promise<{ bySeverity: Record<Severity, number>; unacknowledged: number }>;

  loadStates(): Promise<EvaluationState[]>;
  /** Upserts `states` and deletes the (rule, device) pairs in `removed`, in one transaction. */
  saveStates(states: readonly EvaluationState[], removed: readonly { ruleId: string; deviceId: string }[]): Promise<void>;
}

export class RuleVersionConflictError extends Error {
  constructor(
    readonly ruleId: string,
    readonly expected: number,
    readonly current: number,
  ) {
    super(`rule ${ruleId} is at version ${current}, not ${expected}: it changed since it was read`);
    this.name = "RuleVersionConflictError";
  }
}

export class AlarmAlreadyOpenError extends Error {
  constructor(
    readonly ruleId: string,
    readonly deviceId: string,
  ) {
    super(`rule ${ruleId} already has an active alarm on device ${deviceId}`);
    this.name = "AlarmAlreadyOpenError";
  }
}
