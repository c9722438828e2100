import type { DataValue } from "@telehub/device-client/protocol";
import type { SecretMarking } from "../security/secret-marking.js";

/**
 * A command's life: `queued` → `sent` → `delivered` (the device acknowledged receipt) →
 * `succeeded` | `failed` (the device's result); or `timed_out` (no result within the timeout
 * after delivery), `expired` (TTL passed before delivery), `cancelled` (by an operator).
 */
export type CommandState = "queued" | "sent" | "delivered" | "succeeded" | "failed" | "timed_out" | "expired" | "cancelled";

export const COMMAND_STATES: readonly CommandState[] = [
  "queued",
  "sent",
  "delivered",
  "succeeded",
  "failed",
  "timed_out",
  "expired",
  "cancelled",
];

/** States a command cannot leave. */
export const FINAL_STATES: ReadonlySet<CommandState> = new Set(["succeeded", "failed", "timed_out", "expired", "cancelled"]);

export interface CommandRecord {
  id: string;
  deviceId: string;
  name: string;
  args: { [key: string]: DataValue };
  state: CommandState;
  createdAt: number;
  updatedAt: number;
  /** Delivery must happen before this time, or the command expires. */
  expiresAt: number;
  /** Time allowed between delivery and result. */
  timeoutMs: number;
  /** Times the command was written to a device connection. */
  attempts: number;
  result: DataValue | null;
  error: { code: string; message: string } | null;
  idempotencyKey: string | null;
  /** API key id of the sender. */
  createdBy: string | null;
  /** Every state the command went through, with its time. */
  transitions: { state: CommandState; at: number }[];
}

/** The command with the secret values of its `args` and `result` replaced by `[redacted]`. */
export function redactedCommand(command: CommandRecord, secrets: SecretMarking): CommandRecord {
  return { ...command, args: secrets.redact(command.args), result: command.result === null ? null : secrets.redact(command.result) };
}

export interface NewCommand {
  id: string;
  deviceId: string;
  name: string;
  args: { [key: string]: DataValue };
  createdAt: number;
  expiresAt: number;
  timeoutMs: number;
  idempotencyKey: string | null;
  createdBy: string | null;
}

export interface CommandListQuery {
  limit: number;
  offset: number;
  deviceId?: string;
  states?: readonly CommandState[];
  from?: number;
  to?: number;
  order: "asc" | "desc";
}
