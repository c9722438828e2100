import { EventEmitter } from "node:events";
import type { RequestOptions } from "node:http";
import {
  type CheckedHubFrame,
  closeCodeOf,
  type DeviceFrame,
  encodeFrame,
  type HelloFrame,
  HTTP_QUERY,
  joinCborSequence,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  ProtocolError,
  type ProtocolErrorCode,
  type WelcomeFrame,
} from "../protocol/index.js";
import type { ConnectionEnd, ConnectionEvents, DeviceConnection, SessionSettings } from "./device-connection.js";
import { type ExchangeAnswer, ExchangeTimeout, HttpExchange } from "./http-exchange.js";

/** Most frames the client puts in one request: the hub's default `gateway.http.maxFramesPerRequest`. */
export const MAX_FRAMES_PER_REQUEST = 64;
/** Most body bytes the client puts in one request (one frame may pass it alone): the hub's default `gateway.http.maxBodyBytes`. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** When the hub allows no waiting (`welcome.wait` 0), the poller asks this often (ms). */
const IDLE_POLL_MS = 1_000;

/** What an HTTP session needs. */
export interface HttpConnectionSettings extends SessionSettings {
  /** The device endpoint as `http(s)://…/v1/device`, with `?device=&token=` in query mode. */
  url: URL;
  /** TLS settings and `agent`, passed to `http(s).request`. */
  requestOptions: RequestOptions;
  /** `wait` of each long poll (ms), capped by `welcome.wait`. A request is given up after its wait + `2 × welcome.hb + heartbeatGraceMs`. */
  waitMs: number;
}

/**
 * A session over the HTTP transport (docs/protocol.md §10): `hello` in a first `POST`, then a
 * **poller** (one long poll at a time, for what the hub pushes) and a **poster** (one request at
 * a time with the frames queued by `send`). Any failed or refused request ends the session:
 * the client then starts a new one (a new `hello`), after which unacknowledged batches are
 * resent and the hub resends unacknowledged commands, as after any reconnect. Emits `end` once.
 */
export class HttpConnection extends EventEmitter<ConnectionEvents> implements DeviceConnection {
  readonly transport = "http";
  private sid: string | undefined;
  private welcome: WelcomeFrame | undefined;
  private ended = false;
  /** Frames queued by `send`, encoded (each is measured against the request limits, then joined). */
  private readonly outbox: Uint8Array[] = [];
  private readonly exchanges = new Set<HttpExchange>();
  private posting = false;
  private postQueued = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: HttpConnectionSettings) {
    super();
    const helloSentAt = settings.now();
    const hello: HelloFrame = { t: "hello", v: PROTOCOL_VERSION, ...settings.hello, time: helloSentAt };
    void this.exchange([encodeFrame(hello)], 0, settings.connectTimeoutMs).then((frames) => {
      if (!frames) return;
      const [first, ...rest] = frames;
      if (first?.t !== "welcome" || typeof first.sid !== "string" || first.sid === "") {
        // The hub refused the session in an error frame (TH_VERSION_UNSUPPORTED …), or the answer is not the protocol's.
        const refusal = frames.map(endOfErrorFrame).find((end) => end !== undefined);
        this.finish(refusal ?? { code: 4400, reason: "TH_FRAME_MALFORMED: the answer to hello holds no welcome with a sid" });
        return;
      }
      this.welcome = first;
      this.sid = first.sid;
      this.emit("welcome", { welcome: first, helloSentAt, receivedAt: settings.now() });
      this.deliver(rest);
      this.poll();
      this.schedulePost();
    });
  }

  /** The session id the hub gave in the welcome (undefined before it). */
  get sessionId(): string | undefined {
    return this.sid;
  }

  get open(): boolean {
    return this.welcome !== undefined && !this.ended;
  }

  send(frame: DeviceFrame): void {
    if (!this.open) return;
    this.outbox.push(encodeFrame(frame));
    this.schedulePost();
  }

  /** HTTP has no close handshake: requests in progress are abandoned and the hub lets the session expire. */
  close(code = 1000, reason = ""): Promise<void> {
    this.finish({ code, reason });
    return Promise.resolve();
  }

  abort(code: number, reason: string): void {
    this.finish({ code, reason });
  }

  /** Coalesces the frames of one turn of the event loop (a pump sends several batches) into one request. */
  private schedulePost(): void {
    if (this.postQueued || this.posting || this.outbox.length === 0 || !this.open) return;
    this.postQueued = true;
    setImmediate(() => {
      this.postQueued = false;
      void this.post();
    });
  }

  private async post(): Promise<void> {
    if (this.posting || this.outbox.length === 0 || !this.open) return;
    this.posting = true;
    const frames = this.takeRequestFrames();
    const answer = await this.exchange(frames, 0, this.answerTimeoutMs(0));
    this.posting = false;
    if (!answer) return;
    this.deliver(answer);
    this.schedulePost();
  }

  /** The next request's frames: in order, at most {@link MAX_FRAMES_PER_REQUEST} and {@link MAX_BODY_BYTES} (at least one). */
  private takeRequestFrames(): Uint8Array[] {
    let bytes = 0;
    let count = 0;
    for (const frame of this.outbox) {
      bytes += frame.length;
      if (count === MAX_FRAMES_PER_REQUEST || (count > 0 && bytes > MAX_BODY_BYTES)) break;
      count++;
    }
    return this.outbox.splice(0, count);
  }

  private poll(): void {
    if (!this.open) return;
    const waitMs = Math.max(0, Math.min(this.settings.waitMs, this.welcome?.wait ?? this.settings.waitMs));
    void this.exchange([], waitMs, this.answerTimeoutMs(waitMs)).then((frames) => {
      if (!frames) return;
      this.deliver(frames);
      if (waitMs > 0 || frames.length > 0) this.poll();
      else this.idleTimer = setTimeout(() => this.poll(), IDLE_POLL_MS);
    });
  }

  /** The WebSocket's dead-hub rule, per request: its wait + `2 × hb + heartbeatGraceMs`. */
  private answerTimeoutMs(waitMs: number): number {
    const hb = this.welcome?.hb ?? 0;
    return waitMs + (hb > 0 ? 2 * hb : this.settings.connectTimeoutMs) + this.settings.heartbeatGraceMs;
  }

  /**
   * One request of this session. Resolves with the hub's frames, or undefined when the session
   * ended (this request's failure or refusal ends it).
   */
  private async exchange(frames: Uint8Array[], waitMs: number, timeoutMs: number): Promise<CheckedHubFrame[] | undefined> {
    if (this.ended) return undefined;
    const url = new URL(this.settings.url);
    if (this.sid !== undefined) url.searchParams.set(HTTP_QUERY.session, this.sid);
    if (waitMs > 0) url.searchParams.set(HTTP_QUERY.wait, String(waitMs));
    const exchange = new HttpExchange({
      url,
      headers: this.settings.headers,
      body: joinCborSequence(frames),
      timeoutMs,
      options: this.settings.requestOptions,
      now: this.settings.now,
    });
    this.exchanges.add(exchange);
    let answer: ExchangeAnswer;
    try {
      answer = await exchange.done;
    } catch (error) {
      this.finish(endOfFailure(error as Error, this.welcome !== undefined));
      return undefined;
    } finally {
      this.exchanges.delete(exchange);
    }
    if (this.ended) return undefined;
    if (answer.refusal) {
      const { refusal } = answer;
      this.finish({ code: 1006, reason: `HTTP ${refusal.status}${refusal.code ? ` ${refusal.code}` : ""}`, refusal });
      return undefined;
    }
    return answer.frames;
  }

  /** Hand the hub's frames up in order; an `error` of a code delivered by closing a WebSocket ends the session (§10). */
  private deliver(frames: CheckedHubFrame[]): void {
    for (const frame of frames) {
      if (this.ended) return;
      if (frame.t === "welcome") continue;
      const end = endOfErrorFrame(frame);
      if (end) {
        this.finish(end);
        return;
      }
      this.emit("frame", frame);
    }
  }

  private finish(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    for (const exchange of this.exchanges) exchange.cancel();
    this.exchanges.clear();
    this.outbox.length = 0;
    this.emit("end", end);
  }
}

/** An `error` frame whose code a WebSocket gets as a close ends the HTTP session with that close code (§10). */
function endOfErrorFrame(frame: CheckedHubFrame): ConnectionEnd | undefined {
  if (frame.t !== "error" || !Object.hasOwn(PROTOCOL_ERRORS, frame.code)) return undefined;
  const closeCode = closeCodeOf(frame.code as ProtocolErrorCode);
  return closeCode === undefined ? undefined : { code: closeCode, reason: `${frame.code}: ${frame.msg}` };
}

/** A request that failed: malformed answer (4400), no answer in time (before the welcome a connect timeout, after it 4410), or a socket error. */
function endOfFailure(error: Error, welcomed: boolean): ConnectionEnd {
  if (error instanceof ProtocolError) return { code: 4400, reason: `${error.code}: ${error.message}` };
  if (error instanceof ExchangeTimeout) {
    return welcomed
      ? { code: 4410, reason: `TH_HEARTBEAT_TIMEOUT: ${error.message}` }
      : { code: 1006, reason: `connect timeout: ${error.message}` };
  }
  return { code: 1006, reason: error.message, cause: error };
}
