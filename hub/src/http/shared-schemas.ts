import type { FastifyInstance, FastifySchema } from "fastify";
import { USER_SCHEMA } from "../accounts/user-view.js";
import { API_ERROR_SCHEMA } from "./api-errors.js";

/** A telemetry or attribute value: number, boolean or string, kept as its own JSON type. */
export const METRIC_VALUE_SCHEMA = { anyOf: [{ type: "number" }, { type: "boolean" }, { type: "string" }] } as const;

/** Integer ms since the Unix epoch. */
export const TIMESTAMP_SCHEMA = { type: "integer", description: "ms since the Unix epoch" } as const;
export const NULLABLE_TIMESTAMP_SCHEMA = { type: ["integer", "null"], description: "ms since the Unix epoch, or null" } as const;

/** `offset` of a paged list: at most 2^53 − 1, beyond which a number is no longer an exact integer (nor a bindable one). */
export const PAGE_OFFSET_SCHEMA = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** A device id as operators and devices write it. */
export const DEVICE_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$";

export const LABELS_SCHEMA = {
  type: "object",
  description: "Operator labels: up to 64 keys (1–64 characters of A-Z a-z 0-9 _ . : / -), string values up to 256 characters",
  maxProperties: 64,
  propertyNames: { pattern: "^[A-Za-z0-9_.:/-]{1,64}$" },
  additionalProperties: { type: "string", maxLength: 256 },
} as const;

const DEVICE_SCHEMA = {
  $id: "Device",
  type: "object",
  required: [
    "id",
    "name",
    "labels",
    "createdAt",
    "updatedAt",
    "lastSeenAt",
    "connected",
    "connectedAt",
    "transport",
    "firmware",
    "model",
    "attributes",
    "clockSkewMs",
    "clockSkewFlagged",
    "revoked",
    "revokedAt",
    "profileId",
    "reportedCommands",
  ],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    labels: { type: "object", additionalProperties: { type: "string" } },
    createdAt: TIMESTAMP_SCHEMA,
    updatedAt: TIMESTAMP_SCHEMA,
    lastSeenAt: {
      ...NULLABLE_TIMESTAMP_SCHEMA,
      description: "Newer of the stored last-seen time and the live connection's; null if never seen",
    },
    connected: {
      type: "boolean",
      description: "A session is open now: a WebSocket, or an HTTP transport session that has not expired (says nothing about fresh data)",
    },
    connectedAt: NULLABLE_TIMESTAMP_SCHEMA,
    transport: {
      type: ["string", "null"],
      enum: ["ws", "http", null],
      description: "How the device is connected: ws (WebSocket) or http (the HTTP transport, docs/protocol.md §10); null when it is not",
    },
    firmware: { type: ["string", "null"] },
    model: { type: ["string", "null"] },
    attributes: { type: "object", additionalProperties: METRIC_VALUE_SCHEMA },
    clockSkewMs: { type: ["integer", "null"], description: "Device clock minus hub clock at the last hello" },
    clockSkewFlagged: { type: "boolean", description: "|clockSkewMs| > gateway.clockSkewWarnMs" },
    revoked: { type: "boolean" },
    revokedAt: NULLABLE_TIMESTAMP_SCHEMA,
    profileId: { type: ["string", "null"], description: "The device's profile; null: none" },
    reportedCommands: {
      type: "array",
      items: { type: "string" },
      description: "The command names the device's last hello listed (`cmds`); [] if it listed none",
    },
  },
} as const;

const API_KEY_SCHEMA = {
  $id: "ApiKey",
  type: "object",
  required: ["id", "name", "role", "ownerId", "ownerName", "expiresAt", "createdAt", "lastUsedAt", "revoked", "revokedAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    role: { type: "string", enum: ["viewer", "operator", "admin"] },
    ownerId: { type: ["string", "null"], description: "The user the key acts for; null for a key made before operator accounts" },
    ownerName: { type: ["string", "null"], description: "The owner's username" },
    expiresAt: { ...NULLABLE_TIMESTAMP_SCHEMA, description: "The key is refused from then on; null: never expires" },
    createdAt: TIMESTAMP_SCHEMA,
    lastUsedAt: { ...NULLABLE_TIMESTAMP_SCHEMA, description: "Last authenticated request, to the minute" },
    revoked: { type: "boolean" },
    revokedAt: NULLABLE_TIMESTAMP_SCHEMA,
  },
} as const;

export const DEVICE_REF = { $ref: "Device#" } as const;
export const API_KEY_REF = { $ref: "ApiKey#" } as const;
const ERROR_REF = { $ref: "ApiError#" } as const;

/** Register the schemas that routes refer to with `$ref` (they become OpenAPI components). */
export function addSharedSchemas(http: FastifyInstance): void {
  http.addSchema(API_ERROR_SCHEMA);
  http.addSchema(DEVICE_SCHEMA);
  http.addSchema(API_KEY_SCHEMA);
  http.addSchema(USER_SCHEMA);
}

/** Response schemas for the error statuses a route can answer, plus those every authenticated route can. */
export function errorResponses(...statuses: number[]): Record<number, typeof ERROR_REF> {
  const all = new Set([400, 401, 403, 500, 503, ...statuses]);
  return Object.fromEntries([...all].sort((a, b) => a - b).map((status) => [status, ERROR_REF]));
}

/** The `:id` path parameter of device routes. */
export const DEVICE_ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN } },
} as const;

/** A route schema with the OpenAPI fields `@fastify/swagger` reads. */
export interface RouteSchema extends FastifySchema {
  tags?: readonly string[];
  summary?: string;
  description?: string;
  hide?: boolean;
  security?: ReadonlyArray<Record<string, readonly string[]>>;
}

/**
 * Type a route's schema. Needed because `@fastify/swagger`'s additions to `FastifySchema` are
 * not seen where a route's generic parameters are given explicitly.
 */
export function routeSchema(schema: RouteSchema): FastifySchema {
  return schema;
}

/** The answer of a paged list: `{data, total, limit, offset}` (with `X-Total-Count`). */
export function pageOf(items: object) {
  return {
    type: "object",
    required: ["data", "total", "limit", "offset"],
    properties: { data: { type: "array", items }, total: { type: "integer" }, limit: { type: "integer" }, offset: { type: "integer" } },
  } as const;
}
