import type { CborValue } from "./cbor.js";

/*
 * Commands (protocol §3.6): acknowledge every `cmd`, run each id at most once (the last
 * `RECENT_IDS` ids are remembered in a fixed array), keep each result until `cmd_done`
 * and resend the unconfirmed ones after every welcome.
 */

/** A command handler: returns the result, a Promise of it, or throws. */
export type CommandHandler = (args: { [key: string]: CborValue }) => CborValue | PromiseLike<CborValue> | undefined;

type Frame = { [key: string]: CborValue };

const RECENT_IDS = 32;

export class CommandRunner {
  private readonly handlers: { [name: string]: CommandHandler };
  private readonly send: (frame: Frame) => void;
  private readonly recent: string[] = [];
  private next = 0;
  /** Results the hub has not confirmed yet, by id. */
  private results: { [id: string]: Frame } = {};

  constructor(handlers: { [name: string]: CommandHandler }, send: (frame: Frame) => void) {
    this.handlers = handlers;
    this.send = send;
  }

  /** A `cmd` frame arrived. */
  onCommand(id: string, name: string, args: { [key: string]: CborValue }): void {
    this.send({ t: "cmd_ack", id: id });
    if (this.recent.indexOf(id) >= 0) {
      const known = this.results[id];
      if (known) this.send(known);
      return;
    }
    this.recent[this.next] = id;
    this.next = (this.next + 1) % RECENT_IDS;
    const handler = this.handlers[name];
    if (!handler) {
      this.finish(id, { t: "cmd_result", id: id, ok: false, err: { code: "TH_CMD_UNKNOWN", msg: "no handler for " + name } });
      return;
    }
    const failed = (error: unknown) => {
      this.finish(id, { t: "cmd_result", id: id, ok: false, err: { code: "TH_CMD_FAILED", msg: String(error) } });
    };
    const succeeded = (value: CborValue | undefined) => {
      this.finish(id, { t: "cmd_result", id: id, ok: true, res: value === undefined ? null : value });
    };
    let value: CborValue | PromiseLike<CborValue> | undefined;
    try {
      value = handler(args);
    } catch (error) {
      failed(error);
      return;
    }
    if (value !== null && typeof value === "object" && typeof (value as PromiseLike<CborValue>).then === "function") {
      (value as PromiseLike<CborValue>).then(succeeded, failed);
    } else succeeded(value as CborValue | undefined);
  }

  /** `cmd_done`: the hub recorded the result. */
  onDone(id: string): void {
    delete this.results[id];
  }

  /** After a welcome: resend every unconfirmed result. */
  resendResults(): void {
    for (const id in this.results) this.send(this.results[id] as Frame);
  }

  private finish(id: string, result: Frame): void {
    this.results[id] = result;
    this.send(result);
  }
}
