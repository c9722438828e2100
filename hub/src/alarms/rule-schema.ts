import { DEVICE_ID_PATTERN, LABELS_SCHEMA } from "../http/shared-schemas.js";
import { PROFILE_ID_PATTERN } from "../profiles/profile-schema.js";
import { SEVERITIES } from "./rule.js";

/*
 * Each object lists every field any of its kinds may have (so that Fastify's `removeAdditional`
 * and the API's unknown-field check see them all); which fields a kind requires is said by
 * `if`/`then`, and which it must not have, and every bound, by `validateRule` (a refusal that
 * names the field). No `oneOf`: Ajv's `removeAdditional` would strip one branch's fields while
 * trying another.
 */

const SEVERITY = { type: "string", enum: [...SEVERITIES] } as const;
const DURATION = { type: "integer", description: "ms" } as const;

/** JSON Schema's `if`/`then`. */
const ifThen = (condition: Record<string, unknown>, then: Record<string, unknown>) => ({
  if: condition,
  then,
});

/** When `key` is `value`, `then` applies. */
const whenKind = (key: string, value: string, then: Record<string, unknown>) =>
  ifThen({ required: [key], properties: { [key]: { const: value } } }, then);

const SCOPE = {
  type: "object",
  additionalProperties: false,
  required: ["kind"],
  description:
    "`{kind: device, deviceId}`, `{kind: profile, profileId}` or `{kind: labels, labels}` (devices whose labels include every one given)",
  properties: {
    kind: { type: "string", enum: ["device", "profile", "labels"] },
    deviceId: { type: "string", pattern: DEVICE_ID_PATTERN },
    profileId: { type: "string", pattern: PROFILE_ID_PATTERN },
    labels: LABELS_SCHEMA,
  },
  allOf: [
    whenKind("kind", "device", { required: ["deviceId"] }),
    whenKind("kind", "profile", { required: ["profileId"] }),
    whenKind("kind", "labels", { required: ["labels"] }),
  ],
} as const;

const LEVEL = {
  type: "object",
  additionalProperties: false,
  required: ["severity", "op"],
  description:
    "`above`/`below` a `value`, `outside`/`inside` [`low`, `high`] (with an optional `hysteresis` dead band), or `equals`/`notEquals` a `value` (number, boolean or string)",
  properties: {
    severity: SEVERITY,
    op: { type: "string", enum: ["above", "below", "outside", "inside", "equals", "notEquals"] },
    // A type list, not anyOf: Ajv's coercion would turn a string into a number in anyOf's first branch.
    value: { type: ["number", "boolean", "string"] },
    low: { type: "number" },
    high: { type: "number" },
    hysteresis: { type: "number", description: "≥ 0, default 0: how far back past the threshold a held level must go to let go" },
  },
  allOf: [
    ifThen({ required: ["op"], properties: { op: { enum: ["above", "below", "equals", "notEquals"] } } }, { required: ["value"] }),
    ifThen({ required: ["op"], properties: { op: { enum: ["outside", "inside"] } } }, { required: ["low", "high"] }),
  ],
} as const;

const CONDITION = {
  type: "object",
  additionalProperties: false,
  required: ["kind"],
  description:
    "`{kind: metric, metric, levels, forMs, rate?}`, `{kind: noData, metric?, afterMs, severity}` or `{kind: offline, afterMs, severity}`",
  properties: {
    kind: { type: "string", enum: ["metric", "noData", "offline"] },
    metric: { type: "string", description: "A metric name" },
    rate: {
      type: "object",
      additionalProperties: false,
      required: ["windowMs", "per"],
      description: "Compare the rate of change over `windowMs` (in units per `per`) instead of the value",
      properties: { windowMs: DURATION, per: { type: "string", enum: ["second", "minute", "hour"] } },
    },
    levels: { type: "array", items: LEVEL, description: "1–4 levels of distinct severities" },
    forMs: {
      ...DURATION,
      description: "How long a level must hold (device time) before the alarm is raised or escalated to it; default 0",
    },
    afterMs: { ...DURATION, description: "No data / offline for this long" },
    severity: SEVERITY,
  },
  allOf: [
    whenKind("kind", "metric", { required: ["metric", "levels"], properties: { forMs: { default: 0 } } }),
    whenKind("kind", "noData", { required: ["afterMs", "severity"] }),
    whenKind("kind", "offline", { required: ["afterMs", "severity"] }),
  ],
} as const;

const CLEAR = {
  type: "object",
  additionalProperties: false,
  required: ["mode"],
  default: { mode: "auto", quietMs: 0 },
  description:
    "`{mode: auto, quietMs}`: clears itself once the condition has not held for `quietMs`; `{mode: manual}`: only a person clears it",
  properties: {
    mode: { type: "string", enum: ["auto", "manual"] },
    quietMs: DURATION,
  },
  allOf: [whenKind("mode", "auto", { properties: { quietMs: { default: 0 } } })],
} as const;

/**
 * The JSON Schema of a rule definition (the body of `POST /alarm-rules`): shapes, kinds, defaults
 * (`enabled` true, `forMs` 0, `clear` `{mode: "auto", quietMs: 0}`, `reRaiseAfterMs` 900,000).
 * Strict: an unknown field is refused at every depth. The rules between fields and every bound
 * are checked by `validateRule` after it.
 */
export const RULE_DEFINITION_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name", "scope", "condition"],
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    enabled: { type: "boolean", default: true },
    scope: SCOPE,
    condition: CONDITION,
    clear: CLEAR,
    reRaiseAfterMs: {
      ...DURATION,
      default: 900_000,
      description:
        "After a person clears an alarm whose condition still holds, a new alarm is raised if it still holds this long after; default 900,000",
    },
  },
} as const;
