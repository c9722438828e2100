import type { CborValue } from "./cbor.js";

/*
 * Commands (protocol §3.6): acknowledge every `cmd`, run each id at most once (the last
 * `RECENT_IDS` ids are remembered in a fixed array), keep each result until `cmd_done`
 * and resend the unconfirmed ones after every welcome.
 */

/** A command handler: returns the result, a Promise of it, or throws. */
export type CommandHandler = (args: { [key: string]: CborValue }) => CborValue | PromiseLike<CborValue> | undefined;

type Frame = { [key: string]: CborValue };

export interface CommandRunner {
  /** A `cmd` frame arrived. */
  command(id: string, name: string, args: { [key: string]: CborValue }): void;
  /** `cmd_done`: the hub recorded the result. */
  done(id: string): void;
  /** After a welcome: resend every unconfirmed result. */
  resend(): void;
}

const RECENT_IDS = 32;

export function createCommandRunner(handlers: { [name: string]: CommandHandler }, send: (frame: Frame) => void): CommandRunner {
  const recent: string[] = [];
  let next = 0;
  /** Results the hub has not confirmed yet, by id. */
  const results: { [id: string]: Frame } = {};

  const command = (id: string, name: string, args: { [key: string]: CborValue }): void => {
    send({ t: "cmd_ack", id: id });
    if (recent.indexOf(id) >= 0) {
      const known = results[id];
      if (known) send(known);
      return;
    }
    recent[next] = id;
    next = (next + 1) % RECENT_IDS;
    const finish = (ok: boolean, value: CborValue | undefined, code?: string): void => {
      const result: Frame = { t: "cmd_result", id: id, ok: ok };
      if (ok) result.res = value === undefined ? null : value;
      else result.err = { code: code as string, msg: String(value) };
      results[id] = result;
      send(result);
    };
    const failed = (error: unknown): void => finish(false, error as CborValue, "TH_CMD_FAILED");
    const succeeded = (value: CborValue | undefined): void => finish(true, value);
    const handler = handlers[name];
    if (!handler) {
      finish(false, "no handler for " + name, "TH_CMD_UNKNOWN");
      return;
    }
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
  };

  return {
    command: command,
    done: (id) => {
      delete results[id];
    },
    resend: () => {
      for (const id in results) send(results[id] as Frame);
    },
  };
}
