import type { ServerResponse } from "node:http";
import type { HubFrame } from "@telehub/device-client/protocol";

/**
 * One request of an HTTP transport session, from its arrival to its response (docs/protocol.md
 * §10): the answers to its own frames, and what it carried once answered.
 */
export class Exchange {
  /** Answers to this request's frames (welcome, acks, errors, `cmd_done`), in the order they were made. */
  readonly answers: HubFrame[] = [];
  /** A response (or a refusal) was written: nothing more is written to `res`. */
  answered = false;
  /** The hub → device frames the response carried: put back when it is cut, resent when unacknowledged. */
  carried: HubFrame[] = [];
  private readonly releasers: (() => void)[] = [];
  private released = false;

  constructor(
    readonly res: ServerResponse,
    /** How long the hub may hold the request when it has nothing to send, ms (0: answer at once). */
    readonly waitMs: number,
  ) {}

  /** Run `release` once, when the request is answered or the client goes away, whichever is first. */
  onRelease(release: () => void): void {
    if (this.released) release();
    else this.releasers.push(release);
  }

  /** The request no longer holds a place (a long-poll slot). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const release of this.releasers) release();
  }
}
