import { randomBytes } from "node:crypto";
import {
  CBOR_SEQUENCE_TYPE,
  closeCodeOf,
  type DecodedFrame,
  encodeFrame,
  type HelloFrame,
  type HubFrame,
  joinCborSequence,
  type ProtocolErrorCode,
  type WelcomeFrame,
} from "@telehub/device-client/protocol";
import type { HubConfig } from "../../config/hub-config.js";
import type { DeviceLink, LinkListener } from "../device-link.js";
import type { Exchange } from "./http-exchange.js";
import { writeRefusal } from "./http-refusal.js";

/** What an HTTP session needs from the hub. */
export interface HttpLinkOptions {
  /** `gateway.http`. */
  settings: HubConfig["gateway"]["http"];
  /** `gateway.heartbeatIntervalMs`: the contact interval of a device whose hello has no `ivl`. */
  heartbeatIntervalMs: number;
  now: () => number;
  /** Send the session's unacknowledged commands and configuration again (into this link). */
  resendPending: () => void;
  /** The session ended: expired, closed with a code, or replaced (`code` `TH_SESSION_REPLACED`). */
  ended: (link: HttpLink, code: ProtocolErrorCode | undefined) => void;
}

/** Hub → device frames that wait for the device until it acknowledges them; everything else answers a posted frame. */
const isPush = (frame: HubFrame): boolean => frame.t === "cmd" || frame.t === "config";
/** The key under which an unacknowledged push is tracked: one per command id, one for the configuration. */
const pushKey = (frame: HubFrame): string => (frame.t === "cmd" ? `cmd:${frame.id}` : "config");

/**
 * A device session over the HTTP transport (docs/protocol.md §10): the session lives across
 * requests, named by `sid`. Frames for the device wait in an outbox until a response carrying
 * them has been written completely; a response that is cut puts them back. Answers to a request's
 * frames go into that request's response; commands and configuration wake the held long poll, and
 * are sent again when no acknowledgement came `resendAfterMs` after the response that carried them.
 * The session expires `ivl + graceMs` after the end of its last request.
 */
export class HttpLink implements DeviceLink {
  readonly transport = "http";
  /** The session id (24 characters of base64url, 144 random bits). */
  readonly sid = randomBytes(18).toString("base64url");
  /** The contact interval in force, ms (`hello.ivl` capped, or `hb`). */
  intervalMs: number;
  private listener: LinkListener | undefined;
  private ended = false;
  /** Every request of the session not yet answered. */
  private readonly active = new Set<Exchange>();
  /** Requests whose frames are being handled, oldest first: the oldest gets the answers made now. */
  private readonly posting: Exchange[] = [];
  /** Answers made when no request was posting (or put back from a cut response): they go with the next response. */
  private spare: HubFrame[] = [];
  /** Commands and configuration waiting for a response. */
  private pushes: HubFrame[] = [];
  private held: Exchange | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** Pushes carried by a completed response and not yet acknowledged, by {@link pushKey}. */
  private readonly unacknowledged = new Map<string, HubFrame>();
  private readonly resendTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: HttpLinkOptions) {
    this.intervalMs = options.heartbeatIntervalMs;
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Whether a request of the session is held (a long poll waiting for something to send). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  attach(listener: LinkListener): void {
    this.listener = listener;
  }

  send(frame: HubFrame): void {
    if (this.ended) return;
    if (!isPush(frame)) {
      (this.posting[0]?.answers ?? this.spare).push(frame);
      return;
    }
    this.queuePush(frame);
    this.answerHeld();
  }

  /** HTTP: the session ends with an `error` frame as the last frame of the answers in progress; a replaced one answers 409. */
  close(code: ProtocolErrorCode, message: string): void {
    if (this.ended) return;
    const replaced = code === "TH_SESSION_REPLACED";
    const last: HubFrame = { t: "error", code, msg: message };
    for (const exchange of [...this.active]) {
      if (exchange.answered) continue;
      if (replaced) {
        exchange.answered = true;
        exchange.release();
        writeRefusal(exchange.res, { code, message: "a newer session of this device replaced this one", status: 409 });
      } else this.write(exchange, [...this.take(exchange), last]);
    }
    this.end(closeCodeOf(code) ?? 1011, code, code);
  }

  welcomeFields(hello: HelloFrame): Partial<WelcomeFrame> {
    const { settings } = this.options;
    this.intervalMs = Math.min(hello.ivl ?? this.options.heartbeatIntervalMs, settings.maxIntervalMs);
    return { sid: this.sid, ivl: this.intervalMs, wait: settings.maxWaitMs };
  }

  /** An acknowledgement stops the resending of what it acknowledges (a result acknowledges its command too). */
  noteReceived(frame: DecodedFrame): void {
    if ((frame.t === "cmd_ack" || frame.t === "cmd_result") && typeof frame.id === "string") this.unacknowledged.delete(`cmd:${frame.id}`);
    if (frame.t === "config_ack" && typeof frame.v === "number") {
      const sent = this.unacknowledged.get("config");
      if (sent?.t === "config" && sent.v <= frame.v) this.unacknowledged.delete("config");
    }
  }

  /**
   * A request of this session arrived: the session lives at least until it is answered. A new
   * poll (a `wait`) answers the held one at once (one held request per session); a request
   * without one leaves it held, so a device's posts do not cost it a poll each.
   */
  begin(exchange: Exchange): void {
    this.active.add(exchange);
    clearTimeout(this.expiryTimer);
    if (exchange.waitMs > 0) this.answerHeld();
    exchange.res.once("close", () => this.closed(exchange));
  }

  /** The request's frames are about to be handled: answers made from now on are its own. */
  startPosting(exchange: Exchange): void {
    this.posting.push(exchange);
  }

  /**
   * The request's frames are handled and every batch among them settled: answer it with its
   * answers and what waits for the device, or hold it (`wait`) while there is nothing to send.
   */
  finish(exchange: Exchange): void {
    this.stopPosting(exchange);
    if (exchange.answered) return;
    const frames = this.take(exchange);
    if (frames.length > 0 || exchange.waitMs === 0 || this.ended) {
      this.write(exchange, frames);
      return;
    }
    this.answerHeld();
    this.held = exchange;
    this.holdTimer = setTimeout(() => this.answerHeld(), exchange.waitMs);
  }

  /** Answer the held request, if there is one, with whatever waits (possibly nothing). */
  answerHeld(): void {
    const exchange = this.held;
    if (!exchange) return;
    this.held = undefined;
    clearTimeout(this.holdTimer);
    this.write(exchange, this.take(exchange));
  }

  /** The request's answers, then the answers nobody took, then the pushes: the frames of its response. */
  private take(exchange: Exchange): HubFrame[] {
    const frames = [...exchange.answers, ...this.spare, ...this.pushes];
    exchange.answers.length = 0;
    this.spare = [];
    this.pushes = [];
    return frames;
  }

  private write(exchange: Exchange, frames: HubFrame[]): void {
    if (exchange.answered) return;
    exchange.answered = true;
    exchange.release();
    const { res } = exchange;
    if (res.destroyed) {
      this.putBack(frames);
      return;
    }
    exchange.carried = frames;
    const body = joinCborSequence(frames.map(encodeFrame));
    res.writeHead(200, { "Content-Type": CBOR_SEQUENCE_TYPE, "Content-Length": body.length, "Cache-Control": "no-store" });
    res.end(body);
  }

  /** The response is over: written completely (its pushes now wait for their acknowledgements), or cut (they go back to the outbox). */
  private closed(exchange: Exchange): void {
    this.active.delete(exchange);
    this.stopPosting(exchange);
    exchange.release();
    if (this.held === exchange) {
      this.held = undefined;
      clearTimeout(this.holdTimer);
    }
    if (exchange.res.writableFinished) this.awaitAcknowledgement(exchange.carried);
    else this.putBack(exchange.answered ? exchange.carried : this.take(exchange));
    exchange.carried = [];
    if (this.active.size === 0 && !this.ended) {
      const { graceMs } = this.options.settings;
      this.expiryTimer = setTimeout(() => this.expire(), this.intervalMs + graceMs);
      this.expiryTimer.unref();
    }
  }

  private stopPosting(exchange: Exchange): void {
    const index = this.posting.indexOf(exchange);
    if (index >= 0) this.posting.splice(index, 1);
  }

  /** Frames of a response that did not reach the device: at the front of the outbox, for the next response. */
  private putBack(frames: HubFrame[]): void {
    if (this.ended || frames.length === 0) return;
    const pushes = frames.filter(isPush);
    this.spare = [...frames.filter((frame) => !isPush(frame)), ...this.spare];
    const waiting = this.pushes;
    this.pushes = [];
    for (const frame of [...pushes, ...waiting]) this.queuePush(frame);
    if (pushes.length > 0) this.answerHeld();
  }

  /** Queue a command or configuration once: a command already waiting is not queued twice; a newer configuration replaces an older one. */
  private queuePush(frame: HubFrame): void {
    const key = pushKey(frame);
    const index = this.pushes.findIndex((waiting) => pushKey(waiting) === key);
    if (index < 0) this.pushes.push(frame);
    else if (frame.t === "config") this.pushes[index] = frame;
  }

  private awaitAcknowledgement(carried: HubFrame[]): void {
    const pushes = carried.filter(isPush);
    if (pushes.length === 0 || this.ended) return;
    for (const frame of pushes) this.unacknowledged.set(pushKey(frame), frame);
    const timer = setTimeout(() => {
      this.resendTimers.delete(timer);
      if (this.ended) return;
      if (pushes.some((frame) => this.unacknowledged.get(pushKey(frame)) === frame)) this.options.resendPending();
    }, this.options.settings.resendAfterMs);
    timer.unref();
    this.resendTimers.add(timer);
  }

  private expire(): void {
    if (this.ended || this.active.size > 0) return;
    this.end(1000, "session expired", undefined);
  }

  private end(closeCode: number, reason: string, code: ProtocolErrorCode | undefined): void {
    this.ended = true;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.holdTimer);
    for (const timer of this.resendTimers) clearTimeout(timer);
    this.resendTimers.clear();
    this.spare = [];
    this.pushes = [];
    this.options.ended(this, code);
    this.listener?.linkClosed(closeCode, reason);
  }
}
