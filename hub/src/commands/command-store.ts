import type { CommandListQuery, CommandRecord, CommandState, NewCommand } from "./command-record.js";

/** A state change with what it records. */
export interface CommandTransition {
  state: CommandState;
  at: number;
  /**
   * New deadline: expiry for `sent`, result deadline for `delivered` (`"result-timeout"`: `at`
   * plus the command's own `timeoutMs`), null when final.
   */
  deadline?: number | null | "result-timeout";
  /** Move it only if it is this device's command (a device names commands by id in its frames). */
  deviceId?: string;
  result?: CommandRecord["result"];
  error?: CommandRecord["error"];
  /** Count one more write to a device connection. */
  attempt?: boolean;
  /**
   * The command's arguments as read (they never change before a final state): stored again with
   * their secret values replaced by `[erased]` (the command is final: nothing will send them again).
   */
  eraseSecretArgs?: CommandRecord["args"];
}

/**
 * Durable commands (in the metadata database). Async so a server database can implement it.
 * Secret values of `args` and `result` (docs/api.md, "Secret values") are stored encrypted and
 * read back in plain text.
 */
export interface CommandStore {
  /** Insert a command as `queued`. */
  create(command: NewCommand): Promise<CommandRecord>;
  /**
   * Insert a command as `queued` unless its device has `maxPending` commands queued or sent
   * already: undefined then. One statement, so the count costs no round trip of its own.
   */
  createUnlessFull(command: NewCommand, maxPending: number): Promise<CommandRecord | undefined>;
  get(id: string): Promise<CommandRecord | undefined>;
  findByIdempotencyKey(deviceId: string, key: string): Promise<CommandRecord | undefined>;
  list(query: CommandListQuery): Promise<{ items: CommandRecord[]; total: number }>;
  /** Commands still to reach the device (queued or sent), oldest first. */
  pendingFor(deviceId: string): Promise<CommandRecord[]>;
  /**
   * Move a command to `to.state` if it is in one of `from`; resolves with the updated record,
   * or undefined when it was not in those states (someone else moved it first).
   */
  transition(id: string, from: readonly CommandState[], to: CommandTransition): Promise<CommandRecord | undefined>;
  /** Non-final commands whose deadline has passed. */
  due(now: number, limit: number): Promise<CommandRecord[]>;
}
