import type { CommandFrame, CommandResultFrame, DataValue, DeviceFrame } from "../protocol/index.js";

/** What a command handler gets besides its arguments. */
export interface CommandContext {
  id: string;
  name: string;
}

/** Runs one command: returns its result (or a promise of it), or throws to fail it with the error's message. */
export type CommandHandler = (args: { [key: string]: DataValue }, context: CommandContext) => CommandOutcome | Promise<CommandOutcome>;

/** What a handler may return: a JSON-like result, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: handlers that return nothing are typed `void` by TypeScript.
export type CommandOutcome = DataValue | undefined | void;

/**
 * The device side of commands: acknowledges each `cmd` on arrival, runs its handler **at most
 * once per id** (a resent command is acknowledged again and its result resent), and keeps each
 * result until the hub confirms it with `cmd_done`, resending unconfirmed results after a
 * reconnect.
 */
export class CommandRunner {
  private readonly handlers = new Map<string, CommandHandler>();
  /** Ids seen recently, oldest first (bounded), so a resent command is not run again. */
  private readonly seen = new Map<string, CommandResultFrame | "running">();
  /** Results not yet confirmed by the hub. */
  private readonly unconfirmed = new Map<string, CommandResultFrame>();

  /**
   * @param send sends a frame if connected (dropped otherwise; unconfirmed results are resent).
   * @param rememberIds how many recent command ids are remembered for duplicate detection. Default 256.
   */
  constructor(
    private readonly send: (frame: DeviceFrame) => void,
    private readonly rememberIds = 256,
  ) {}

  /** Register the handler of a command name (replacing any earlier one). */
  on(name: string, handler: CommandHandler): void {
    this.handlers.set(name, handler);
  }

  /** A `cmd` frame arrived. */
  receive(frame: CommandFrame): void {
    this.send({ t: "cmd_ack", id: frame.id });
    const earlier = this.seen.get(frame.id);
    if (earlier !== undefined) {
      if (earlier !== "running") this.send(earlier);
      return;
    }
    this.remember(frame.id, "running");
    void this.run(frame).then((result) => {
      this.remember(frame.id, result);
      this.unconfirmed.set(frame.id, result);
      this.send(result);
    });
  }

  /** The hub recorded a result (`cmd_done`). */
  confirm(id: string): void {
    this.unconfirmed.delete(id);
  }

  /** A new session started: resend every result the hub has not confirmed. */
  resendUnconfirmed(): void {
    for (const result of this.unconfirmed.values()) this.send(result);
  }

  private async run(frame: CommandFrame): Promise<CommandResultFrame> {
    const handler = this.handlers.get(frame.name);
    if (!handler)
      return { t: "cmd_result", id: frame.id, ok: false, err: { code: "TH_CMD_UNKNOWN", msg: `no handler for command ${frame.name}` } };
    try {
      const res = await handler(frame.args ?? {}, { id: frame.id, name: frame.name });
      return { t: "cmd_result", id: frame.id, ok: true, ...(res !== undefined && res !== null ? { res } : {}) };
    } catch (error) {
      return {
        t: "cmd_result",
        id: frame.id,
        ok: false,
        err: { code: "TH_CMD_FAILED", msg: error instanceof Error ? error.message : String(error) },
      };
    }
  }

  private remember(id: string, value: CommandResultFrame | "running"): void {
    this.seen.delete(id);
    this.seen.set(id, value);
    while (this.seen.size > this.rememberIds) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
  }
}
