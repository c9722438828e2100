import { COMMAND_NAME_PATTERN, MAX_COMMAND_NAME_LENGTH, METRIC_NAME_PATTERN } from "@telehub/device-client/protocol";

/** The fixed limits of a profile (contract of issue #18; docs/api.md, "Profiles"). */
export const PROFILE_LIMITS = {
  maxNameLength: 128,
  maxDescriptionLength: 1024,
  maxMetrics: 256,
  maxCommands: 64,
  maxCharts: 64,
  maxMetricsPerChart: 8,
  maxMatchPatterns: 32,
  maxPatternLength: 128,
  maxUnitLength: 16,
  maxDecimals: 6,
  maxStates: 64,
  maxMetricNameLength: 256,
  maxTextLength: 256,
} as const;

/** A profile id: a slug. */
export const PROFILE_ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$";

const L = PROFILE_LIMITS;
const TEXT = { type: "string", minLength: 1, maxLength: L.maxTextLength } as const;
const METRIC_NAME = { type: "string", minLength: 1, maxLength: L.maxMetricNameLength, pattern: METRIC_NAME_PATTERN.source } as const;
const PATTERNS = {
  type: "array",
  maxItems: L.maxMatchPatterns,
  items: { type: "string", minLength: 1, maxLength: L.maxPatternLength },
} as const;

const METRIC = {
  type: "object",
  additionalProperties: false,
  required: ["name", "type", "kind"],
  properties: {
    name: METRIC_NAME,
    type: { type: "string", enum: ["number", "boolean", "string"] },
    kind: {
      type: "string",
      enum: ["gauge", "counter", "state"],
      description: "gauge: a level; counter: a monotonic total, charted as a rate per second; state: booleans and enums, a state timeline",
    },
    displayName: TEXT,
    unit: {
      type: "string",
      minLength: 1,
      maxLength: L.maxUnitLength,
      description:
        'The dashboard formats "%", "B", "B/s", "s", "ms", "°C", "V", "W", "Wh", "ppm", "dBm" specially; others follow the value',
    },
    decimals: { type: "integer", minimum: 0, maximum: L.maxDecimals },
    range: {
      type: "object",
      additionalProperties: false,
      properties: { min: { type: "number" }, max: { type: "number" } },
      description: "The expected range (an axis hint)",
    },
    states: {
      type: "array",
      maxItems: L.maxStates,
      items: TEXT,
      description: "Kind state, type string: the known values in display order",
    },
  },
} as const;

const COMMAND = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: MAX_COMMAND_NAME_LENGTH, pattern: COMMAND_NAME_PATTERN.source },
    description: { type: "string", maxLength: L.maxDescriptionLength },
    args: {
      type: "object",
      additionalProperties: true,
      description: "A JSON Schema (draft 2020-12) of the command's `args`; absent: not described, not checked",
    },
  },
} as const;

const CHART = {
  type: "object",
  additionalProperties: false,
  required: ["title", "metrics"],
  properties: {
    title: { type: "string", minLength: 1, maxLength: L.maxNameLength },
    metrics: { type: "array", minItems: 1, maxItems: L.maxMetricsPerChart, items: METRIC_NAME },
    shown: { type: "boolean", description: "Default true; false: listed, hidden until the user shows it" },
  },
} as const;

/** What `PUT /profiles/:id` takes besides `version`: a definition without `id`. */
const DEFINITION_PROPERTIES = {
  name: { type: "string", minLength: 1, maxLength: L.maxNameLength },
  description: { type: "string", maxLength: L.maxDescriptionLength },
  match: {
    type: "object",
    additionalProperties: false,
    properties: { models: PATTERNS, firmware: PATTERNS },
    description: "Glob patterns (`*` only) on hello.model and hello.fw: a device without a profile gets the first matching profile",
  },
  metrics: { type: "array", maxItems: L.maxMetrics, items: METRIC },
  commands: { type: "array", maxItems: L.maxCommands, items: COMMAND },
  defaultConfig: {
    type: "object",
    additionalProperties: true,
    description: "The desired configuration a device gets with the profile when it has none",
  },
  layout: {
    type: "object",
    additionalProperties: false,
    required: ["charts"],
    properties: { charts: { type: "array", maxItems: L.maxCharts, items: CHART } },
  },
} as const;

/** The body of `POST /profiles`. */
export const PROFILE_CREATE_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "metrics", "commands", "layout"],
  properties: { id: { type: "string", pattern: PROFILE_ID_PATTERN }, ...DEFINITION_PROPERTIES },
} as const;

/** The body of `PUT /profiles/:id`. */
export const PROFILE_UPDATE_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["name", "metrics", "commands", "layout"],
  properties: {
    ...DEFINITION_PROPERTIES,
    version: { type: "integer", minimum: 1, description: "The version being edited: if it is not the current one, 409" },
  },
} as const;

/** A stored profile as the API answers it (`$ref: "Profile#"`). */
export const PROFILE_SCHEMA = {
  $id: "Profile",
  type: "object",
  required: ["id", "name", "metrics", "commands", "layout", "version", "builtIn", "createdAt", "updatedAt", "updatedBy"],
  properties: {
    id: { type: "string" },
    ...DEFINITION_PROPERTIES,
    version: { type: "integer", description: "1 on create, +1 on every update" },
    builtIn: { type: "boolean", description: "Shipped with the hub (seeded at start when absent); editable like any other" },
    createdAt: { type: "integer", description: "ms since the Unix epoch" },
    updatedAt: { type: "integer", description: "ms since the Unix epoch" },
    updatedBy: { type: ["string", "null"], description: "Who made the last change; null: the hub (seeding)" },
  },
} as const;

export const PROFILE_REF = { $ref: "Profile#" } as const;

/** The `:id` path parameter of profile routes. */
export const PROFILE_ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: PROFILE_ID_PATTERN } },
} as const;
