import { COMMAND_STATES, type CommandRecord } from "../commands/command-record.js";
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
    args: { type: "object", additionalProperties: true },
    state: { type: "string", enum: COMMAND_STATES },
    createdAt: TIMESTAMP_SCHEMA,
    updatedAt: TIMESTAMP_SCHEMA,
    expiresAt: { ...TIMESTAMP_SCHEMA, description: "Not delivered by then: expired" },
    timeoutMs: { type: "integer", description: "Time from delivery to result before the command times out" },
    attempts: { type: "integer", description: "Times it was written to a device connection" },
    result: { description: "The device handler's return value (succeeded)" },
    error: { type: ["object", "null"], properties: { code: { type: "string" }, message: { type: "string" } } },
    idempotencyKey: { type: ["string", "null"] },
    createdBy: { type: ["string", "null"], description: "API key id of the sender" },
    transitions: {
      type: "array",
      items: { type: "object", required: ["state", "at"], properties: { state: { type: "string" }, at: TIMESTAMP_SCHEMA } },
    },
    deliveredAt: NULLABLE_TIMESTAMP_SCHEMA,
  },
} as const;

export const COMMAND_REF = { $ref: "Command#" } as const;

/** The API view of a command record. */
export function commandView(command: CommandRecord): CommandRecord & { deliveredAt: number | null } {
  return { ...command, deliveredAt: command.transitions.find((t) => t.state === "delivered")?.at ?? null };
}

/** JSON-like arguments, result or document: any JSON object. */
export const JSON_OBJECT_SCHEMA = { type: "object", additionalProperties: true } as const;
