import { SEVERITIES } from "../../alarms/rule.js";
import { METRIC_VALUE_SCHEMA, NULLABLE_TIMESTAMP_SCHEMA, PAGE_OFFSET_SCHEMA, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** Ids the hub makes (`rule_…`, `alm_…`, `ch_…`, `dlv_…`): checked loosely, an unknown one is a 404. */
export const HUB_ID_PATTERN = "^[A-Za-z0-9_-]{1,80}$";

/** The `:id` path parameter of the alarm, rule, channel and delivery routes. */
export const HUB_ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: HUB_ID_PATTERN } },
} as const;

export const SEVERITY_SCHEMA = { type: "string", enum: [...SEVERITIES] } as const;

const NULLABLE_VALUE_SCHEMA = { anyOf: [...METRIC_VALUE_SCHEMA.anyOf, { type: "null" }] } as const;

/** The shape of a stored rule as the API answers it; the definition's parts are described in docs/api.md (Alarm rules). */
const ALARM_RULE_SCHEMA = {
  $id: "AlarmRule",
  type: "object",
  required: ["id", "name", "enabled", "scope", "condition", "clear", "reRaiseAfterMs", "version", "createdAt", "updatedAt", "updatedBy"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    enabled: { type: "boolean" },
    scope: {
      type: "object",
      additionalProperties: true,
      description: "`{kind:device, deviceId}`, `{kind:profile, profileId}` or `{kind:labels, labels}`",
    },
    condition: { type: "object", additionalProperties: true, description: "`{kind:metric, …}`, `{kind:noData, …}` or `{kind:offline, …}`" },
    clear: { type: "object", additionalProperties: true, description: "`{mode:auto, quietMs}` or `{mode:manual}`" },
    reRaiseAfterMs: { type: "integer" },
    version: { type: "integer", description: "1 at creation, one more at every update" },
    createdAt: TIMESTAMP_SCHEMA,
    updatedAt: TIMESTAMP_SCHEMA,
    updatedBy: { type: ["string", "null"], description: "`user:<username>` or `key:<id>` of the last change" },
  },
} as const;

const ALARM_TRANSITION_SCHEMA = {
  $id: "AlarmTransition",
  type: "object",
  required: ["alarmId", "seq", "kind", "at", "severity", "by", "byName", "comment", "value"],
  properties: {
    alarmId: { type: "string" },
    seq: { type: "integer", description: "1, 2, … per alarm" },
    kind: { type: "string", enum: ["raised", "escalated", "deescalated", "cleared", "acknowledged"] },
    at: {
      ...TIMESTAMP_SCHEMA,
      description: "device time for what readings caused, the deadline for durations, no data and offline, hub time for people",
    },
    severity: { ...SEVERITY_SCHEMA, description: "The alarm's severity after the step" },
    by: { type: "string", description: "`rule`, `user:<username>`, `key:<id>` or `system` (device or rule deleted)" },
    byName: { type: ["string", "null"] },
    comment: { type: ["string", "null"] },
    value: NULLABLE_VALUE_SCHEMA,
  },
} as const;

const ALARM_PROPERTIES = {
  id: { type: "string" },
  ruleId: { type: "string" },
  ruleName: { type: "string", description: "The rule's name when the alarm was raised" },
  deviceId: { type: "string" },
  profileId: { type: ["string", "null"], description: "The device's profile when the alarm was raised" },
  severity: SEVERITY_SCHEMA,
  peakSeverity: { ...SEVERITY_SCHEMA, description: "The highest severity it reached" },
  status: { type: "string", enum: ["active", "cleared"] },
  acknowledged: { type: "boolean" },
  raisedAt: TIMESTAMP_SCHEMA,
  updatedAt: TIMESTAMP_SCHEMA,
  clearedAt: NULLABLE_TIMESTAMP_SCHEMA,
  clearedBy: { type: ["string", "null"] },
  acknowledgedAt: NULLABLE_TIMESTAMP_SCHEMA,
  acknowledgedBy: { type: ["string", "null"] },
  value: { ...NULLABLE_VALUE_SCHEMA, description: "The newest value that moved it; null for no data and offline" },
  message: { type: "string", description: 'In operator words, e.g. "temperature 92.4 above 90 for 5 min"' },
} as const;

/** `transitions` (oldest first) only in `GET /alarms/:id`, acknowledge and clear answers, and lists with `include=transitions`. */
const ALARM_SCHEMA = {
  $id: "Alarm",
  type: "object",
  required: Object.keys(ALARM_PROPERTIES),
  properties: {
    ...ALARM_PROPERTIES,
    transitions: { type: "array", items: { $ref: "AlarmTransition#" }, description: "Every step of the alarm, oldest first" },
  },
} as const;

const BACKTEST_RESULT_SCHEMA = {
  $id: "BacktestResult",
  type: "object",
  required: ["deviceId", "from", "to", "points", "truncated", "alarms"],
  properties: {
    deviceId: { type: "string" },
    from: TIMESTAMP_SCHEMA,
    to: TIMESTAMP_SCHEMA,
    points: { type: "integer", description: "Readings evaluated (at most `alarms.maxBacktestPoints`)" },
    truncated: { type: "boolean", description: "The cap cut the range short: the result covers `from` to the last reading evaluated" },
    alarms: {
      type: "array",
      items: {
        type: "object",
        required: ["raisedAt", "clearedAt", "peakSeverity", "steps", "spans"],
        properties: {
          raisedAt: TIMESTAMP_SCHEMA,
          clearedAt: { ...NULLABLE_TIMESTAMP_SCHEMA, description: "null: still active at the end of the range" },
          peakSeverity: SEVERITY_SCHEMA,
          steps: {
            type: "array",
            items: {
              type: "object",
              required: ["kind", "at", "severity", "message"],
              properties: {
                kind: { type: "string", enum: ["raised", "escalated", "deescalated", "cleared"] },
                at: TIMESTAMP_SCHEMA,
                severity: SEVERITY_SCHEMA,
                message: { type: "string" },
              },
            },
          },
          spans: {
            type: "array",
            description: "Consecutive severity spans (for shading a chart); the last ends at `clearedAt` or the range's end",
            items: {
              type: "object",
              required: ["from", "to", "severity"],
              properties: { from: TIMESTAMP_SCHEMA, to: TIMESTAMP_SCHEMA, severity: SEVERITY_SCHEMA },
            },
          },
        },
      },
    },
  },
} as const;

/** Response schemas of the alarm and rule routes, registered so that routes `$ref` them (they become OpenAPI components). */
export const ALARM_SHARED_SCHEMAS = [ALARM_RULE_SCHEMA, ALARM_TRANSITION_SCHEMA, ALARM_SCHEMA, BACKTEST_RESULT_SCHEMA];

export const ALARM_RULE_REF = { $ref: "AlarmRule#" } as const;
export const ALARM_REF = { $ref: "Alarm#" } as const;
export const BACKTEST_RESULT_REF = { $ref: "BacktestResult#" } as const;

/** `limit` and `offset` of a paged list, bounded by `api.maxPageSize`. */
export function pageQueryProperties(api: { defaultPageSize: number; maxPageSize: number }) {
  return {
    limit: { type: "integer", minimum: 1, maximum: api.maxPageSize, default: Math.min(api.defaultPageSize, api.maxPageSize) },
    offset: { ...PAGE_OFFSET_SCHEMA, default: 0 },
  } as const;
}
