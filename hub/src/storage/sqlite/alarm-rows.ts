import type { MetricValue } from "@telehub/device-client/protocol";
import type { Alarm, AlarmStatus, AlarmTransition, AlarmTransitionKind } from "../../alarms/alarm.js";
import { type AlarmRule, type RuleDefinition, type Severity, severityRank } from "../../alarms/rule.js";
import type { AlarmQuery, NewAlarm } from "../alarm-repository.js";

import { definitionOnly } from "./stored-definition.js";

// The rows of the alarm tables of meta.db (migration 8; PostgreSQL's are the same) and what they are in the domain.

export interface RuleRow {
  id: string;
  name: string;
  definition: string;
  version: number;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

export interface AlarmRow {
  id: string;
  rule_id: string;
  rule_name: string;
  device_id: string;
  profile_id: string | null;
  severity: Severity;
  peak_severity: Severity;
  status: AlarmStatus;
  acknowledged: number;
  raised_at: number;
  updated_at: number;
  cleared_at: number | null;
  cleared_by: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  value: string | null;
  message: string;
}

export interface TransitionRow {
  alarm_id: string;
  seq: number;
  kind: AlarmTransitionKind;
  at: number;
  severity: Severity;
  by: string;
  by_name: string | null;
  comment: string | null;
  value: string | null;
}

/** A transition as a caller gives it (the store numbers it). */
export type Step = Omit<AlarmTransition, "alarmId" | "seq">;

/** A stored rule from its row. */
export function toRule(row: RuleRow): AlarmRule {
  return {
    ...(JSON.parse(row.definition) as RuleDefinition),
    id: row.id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** An alarm from its row. */
export function toAlarm(row: AlarmRow): Alarm {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    deviceId: row.device_id,
    profileId: row.profile_id,
    severity: row.severity,
    peakSeverity: row.peak_severity,
    status: row.status,
    acknowledged: row.acknowledged === 1,
    raisedAt: row.raised_at,
    updatedAt: row.updated_at,
    clearedAt: row.cleared_at,
    clearedBy: row.cleared_by,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    value: row.value === null ? null : (JSON.parse(row.value) as MetricValue),
    message: row.message,
  };
}

/** A transition from its row. */
export function toTransition(row: TransitionRow): AlarmTransition {
  return {
    alarmId: row.alarm_id,
    seq: row.seq,
    kind: row.kind,
    at: row.at,
    severity: row.severity,
    by: row.by,
    byName: row.by_name,
    comment: row.comment,
    value: row.value === null ? null : (JSON.parse(row.value) as MetricValue),
  };
}

/** A metric value as its TEXT column holds it (JSON keeps the type: 1, "1" and true differ). */
export function storedValue(value: MetricValue | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** The rule's definition as stored in one JSON column: without the stored rule's own fields, should a whole rule be passed. */
export function storedDefinition(definition: RuleDefinition): string {
  return JSON.stringify(definitionOnly(definition));
}

/** The alarm after `step`: its severity (and peak), cleared or acknowledged, value, message, updatedAt. */
export function applyStep(alarm: Alarm, step: Step, message: string | undefined): Alarm {
  const next: Alarm = {
    ...alarm,
    severity: step.severity,
    peakSeverity: severityRank(step.severity) > severityRank(alarm.peakSeverity) ? step.severity : alarm.peakSeverity,
    updatedAt: Math.max(alarm.updatedAt, step.at),
    value: step.value ?? alarm.value,
    message: message ?? alarm.message,
  };
  if (step.kind === "cleared") {
    next.status = "cleared";
    next.clearedAt = step.at;
    next.clearedBy = step.by;
  } else if (step.kind === "acknowledged") {
    next.acknowledged = true;
    next.acknowledgedAt = step.at;
    next.acknowledgedBy = step.by;
  }
  return next;
}

/** The alarm `raise` stores as `id`: active, unacknowledged, at its first severity. */
export function raisedAlarm(id: string, alarm: NewAlarm): Alarm {
  return {
    id,
    ruleId: alarm.ruleId,
    ruleName: alarm.ruleName,
    deviceId: alarm.deviceId,
    profileId: alarm.profileId,
    severity: alarm.severity,
    peakSeverity: alarm.severity,
    status: "active",
    acknowledged: false,
    raisedAt: alarm.raisedAt,
    updatedAt: alarm.raisedAt,
    clearedAt: null,
    clearedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    value: alarm.value,
    message: alarm.message,
  };
}

/** The filters of an alarm list query: each an SQL condition with one `?` and its value (undefined: not filtered). */
export function alarmFilters(query: AlarmQuery): [condition: string, value: unknown][] {
  return [
    ["status = ?", query.status],
    ["acknowledged = ?", query.acknowledged === undefined ? undefined : query.acknowledged ? 1 : 0],
    ["severity = ?", query.severity],
    ["device_id = ?", query.deviceId],
    ["profile_id = ?", query.profileId],
    ["rule_id = ?", query.ruleId],
    ["raised_at >= ?", query.from],
    ["raised_at < ?", query.to],
  ];
}
