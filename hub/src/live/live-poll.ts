import type { LiveMessage } from "./live-message.js";
import type { LiveCloseCode, LiveSink } from "./live-subscriber.js";

/** What a long poll is answered with: `updates` are `update` messages' JSON texts, in order. */
export interface LivePollAnswer {
  cursor: string;
  updates: readonly string[];
  /** The subscription ended (a revoked key, an ended session, the hub stopping). */
  closed?: LiveCloseCode;
  /** The cursor named no subscription: this is a new one, and what happened meanwhile is lost. */
  resync?: true;
}

/** A poll waiting for news: answered once, then forgotten. */
interface HeldPoll {
  answer(answer: LivePollAnswer): void;
  timer: NodeJS.Timeout;
}

/**
 * One long-poll subscription to the live channel (`GET /api/v1/live/poll`), the sink of its
 * {@link LiveSubscriber}. It takes a message only while a poll waits and nothing is unconfirmed
 * ({@link ready}); otherwise the subscriber keeps its backlog as for a slow WebSocket (telemetry
 * coalesced, events queued up to `live.maxQueuedEvents`, then `dropped`). A message goes out as
 * the answer of the waiting poll and stays in the outbox until a later poll's cursor is past it,
 * so an answer that never reached the browser (the request was cut) is answered again.
 */
export class LivePoll implements LiveSink {
  /** Messages sent and not yet confirmed by a cursor: `seq` is the cursor's number after each. */
  private readonly outbox: { seq: number; message: LiveMessage }[] = [];
  /** Number of the last message sent. */
  private seq = 0;
  private held: HeldPoll | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly id: string,
    /** Who it counts against and who may poll it: `liveOwnersOf` the caller that opened it. */
    readonly owners: readonly string[],
    private readonly expiryMs: number,
    private readonly onEnd: (poll: LivePoll, code: LiveCloseCode | undefined) => void,
  ) {
    this.armExpiry();
  }

  get cursor(): string {
    return `${this.id}.${this.seq}`;
  }

  /**
   * A poll that has everything up to message `seen`: answered at once with what it has not
   * confirmed yet, or held for at most `waitMs` until a message comes. A poll still held is
   * answered first, with nothing: one poll waits per subscription. False: `seen` is past the
   * last message sent (not a cursor of this subscription).
   */
  poll(seen: number, waitMs: number, answer: (answer: LivePollAnswer) => void): boolean {
    if (seen > this.seq) return false;
    this.release();
    while (this.outbox.length > 0 && (this.outbox[0] as { seq: number }).seq <= seen) this.outbox.shift();
    if (this.outbox.length > 0 || waitMs <= 0) {
      answer(this.answerNow());
      this.armExpiry();
      return true;
    }
    clearTimeout(this.expiry);
    const timer = setTimeout(() => this.release(), waitMs);
    this.held = { answer, timer };
    return true;
  }

  /** The held poll's request closed before it was answered: nothing was sent, nothing is lost. */
  abandon(answer: (answer: LivePollAnswer) => void): void {
    if (this.held?.answer !== answer) return;
    clearTimeout(this.held.timer);
    this.held = undefined;
    this.armExpiry();
  }

  bufferedBytes(): number {
    return this.outbox.reduce((sum, sent) => sum + sent.message.bytes.length, 0);
  }

  ready(): boolean {
    return this.held !== undefined && this.outbox.length === 0;
  }

  send(message: LiveMessage): void {
    this.seq++;
    this.outbox.push({ seq: this.seq, message });
    this.release();
  }

  close(code: LiveCloseCode): void {
    this.end(code);
  }

  /** End it for lack of polls (`live.pollExpiryMs`), or because it was closed with `code`. */
  end(code?: LiveCloseCode): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.expiry);
    const held = this.held;
    this.held = undefined;
    if (held) {
      clearTimeout(held.timer);
      held.answer({ ...this.answerNow(), ...(code && { closed: code }) });
    }
    this.onEnd(this, code);
  }

  private answerNow(): LivePollAnswer {
    return { cursor: this.cursor, updates: this.outbox.map((sent) => sent.message.text) };
  }

  /** Answer the held poll, if any, with what is unconfirmed (possibly nothing). */
  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    clearTimeout(held.timer);
    held.answer(this.answerNow());
    this.armExpiry();
  }

  private armExpiry(): void {
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.end(), this.expiryMs);
    this.expiry.unref();
  }
}
