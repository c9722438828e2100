import type { FastifyRequest } from "fastify";
import { COMMAND_STATES, type CommandRecord, redactedCommand } from "../commands/command-record.js";
import type { SecretMarking } from "../security/secret-marking.js";
import { callerOf } from "./authentication.js";
import type { HttpApiDeps } from "./http-api-deps.js";
import { NULLABLE_TIMESTAMP_SCHEMA, TIMESTAMP_SCHEMA } from "./shared-schemas.js";

/** A command as the API shows it. */
export const COMMAND_SCHEMA = {
  $id: "Command",
  type: "object",
  required: [
    "id",
    "deviceId",
    "name",
    "args",
    "state",
    "createdAt",
    "updatedAt",
    "expiresAt",
    "timeoutMs",
    "attempts",
    "result",
    "error",
    "transitions",
  ],
  properties: {
    id: { type: "string" },
    deviceId: { type: "string" },
    name: { type: "string" },
    args: {
      type: "object",
      additionalProperties: true,
      description: "Secret values (docs/api.md, Secret values) are `[redacted]` for viewers and `[erased]` once the command is final",
    },
    state: { type: "string", enum: COMMAND_STATES },
    createdAt: TIMESTAMP_SCHEMA,
    updatedAt: TIMESTAMP_SCHEMA,
    expiresAt: { ...TIMESTAMP_SCHEMA, description: "Not delivered by then: expired" },
    timeoutMs: { type: "integer", description: "Time from delivery to result before the command times out" },
    attempts: { type: "integer", description: "Times it was written to a device connection" },
    result: { description: "The device handler's return value (succeeded); secret values are `[redacted]` for viewers" },
    error: { type: ["object", "null"], properties: { code: { type: "string" }, message: { type: "string" } } },
    idempotencyKey: { type: ["string", "null"] },
    createdBy: { type: ["string", "null"], description: "Id of the sender: an API key's id, or a user's id (a session)" },
    createdByName: {
      type: ["string", "null"],
      description: "The sender's name: the key's name, or the user's username; null when there is no sender or it is gone",
    },
    transitions: {
      type: "array",
      items: { type: "object", required: ["state", "at"], properties: { state: { type: "string" }, at: TIMESTAMP_SCHEMA } },
    },
    deliveredAt: NULLABLE_TIMESTAMP_SCHEMA,
  },
} as const;

export const COMMAND_REF = { $ref: "Command#" } as const;

/**
 * The API view of a command record; with `redact` (a viewer asks), secret values are `[redacted]`;
 * `senders` names the senders (`senderNames`).
 */
export function commandView(
  command: CommandRecord,
  redact?: SecretMarking,
  senders?: ReadonlyMap<string, string>,
): CommandRecord & { deliveredAt: number | null; createdByName: string | null } {
  const deliveredAt = command.transitions.find((t) => t.state === "delivered")?.at ?? null;
  const createdByName = command.createdBy === null ? null : (senders?.get(command.createdBy) ?? null);
  return { ...(redact ? redactedCommand(command, redact) : command), deliveredAt, createdByName };
}

/** JSON-like arguments, result or document: any JSON object. */
export const JSON_OBJECT_SCHEMA = { type: "object", additionalProperties: true } as const;

/** Viewers read secret values as `[redacted]`; operators and admins, who could set them anyway, read them. */
export function redactionFor(request: FastifyRequest, deps: Pick<HttpApiDeps, "secrets">): SecretMarking | undefined {
  return callerOf(request).role === "viewer" ? deps.secrets : undefined;
}
