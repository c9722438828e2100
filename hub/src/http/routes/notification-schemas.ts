import { SEVERITIES } from "../../alarms/rule.js";
import { NULLABLE_TIMESTAMP_SCHEMA, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

const STEP_KINDS = ["raised", "escalated", "deescalated", "cleared", "acknowledged"] as const;

/** A channel as the API shows it: secret settings never, `secretsSet` names those that have a value. */
const CHANNEL_SCHEMA = {
  $id: "NotificationChannel",
  type: "object",
  required: [
    "id",
    "name",
    "enabled",
    "kind",
    "settings",
    "secretsSet",
    "severities",
    "on",
    "repeatIntervalMs",
    "rateLimit",
    "version",
    "createdAt",
    "updatedAt",
    "updatedBy",
  ],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    enabled: { type: "boolean" },
    kind: { type: "string", enum: ["email", "webhook", "slack"] },
    settings: { type: "object", additionalProperties: true, description: "The kind's settings without the secret ones" },
    secretsSet: {
      type: "array",
      items: { type: "string" },
      description: "The secret settings that have a value (`password`, `secret`, `url`); their values are never returned",
    },
    severities: { type: "array", items: { type: "string", enum: [...SEVERITIES] } },
    on: { type: "array", items: { type: "string", enum: [...STEP_KINDS] } },
    repeatIntervalMs: { type: "integer", description: "Reminder interval while an alarm is active and unacknowledged; 0: never" },
    rateLimit: {
      type: "object",
      required: ["count", "windowMs"],
      properties: { count: { type: "integer" }, windowMs: { type: "integer" } },
    },
    version: { type: "integer" },
    createdAt: TIMESTAMP_SCHEMA,
    updatedAt: TIMESTAMP_SCHEMA,
    updatedBy: { type: ["string", "null"] },
  },
} as const;

const DELIVERY_SCHEMA = {
  $id: "NotificationDelivery",
  type: "object",
  required: ["id", "channelId", "kind", "alarmIds", "event", "summary", "body", "status", "createdAt", "nextAttemptAt", "attempts"],
  properties: {
    id: { type: "string" },
    channelId: { type: "string" },
    kind: { type: "string", enum: ["alarm", "repeat", "digest", "test"] },
    alarmIds: { type: "array", items: { type: "string" }, description: "The alarms it tells about: one, a digest's many, none for a test" },
    event: { type: ["string", "null"], enum: [...STEP_KINDS, null], description: "The step it tells about (alarm deliveries), else null" },
    summary: { type: "string", description: "Subject line" },
    body: { type: "string", description: "The message as sent" },
    status: { type: "string", enum: ["pending", "delivered", "failed"] },
    createdAt: TIMESTAMP_SCHEMA,
    nextAttemptAt: { ...NULLABLE_TIMESTAMP_SCHEMA, description: "When the next attempt is due (pending), else null" },
    attempts: {
      type: "array",
      items: {
        type: "object",
        required: ["at", "ok", "durationMs", "error"],
        properties: {
          at: TIMESTAMP_SCHEMA,
          ok: { type: "boolean" },
          durationMs: { type: "number" },
          error: { type: ["string", "null"], description: "What went wrong (SMTP reply, HTTP status, network error); null when ok" },
        },
      },
    },
  },
} as const;

/** Response schemas of the notification routes, registered so that routes `$ref` them (they become OpenAPI components). */
export const NOTIFICATION_SHARED_SCHEMAS = [CHANNEL_SCHEMA, DELIVERY_SCHEMA];

export const CHANNEL_REF = { $ref: "NotificationChannel#" } as const;
export const DELIVERY_REF = { $ref: "NotificationDelivery#" } as const;
