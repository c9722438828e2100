import {
  type DecodedFrame,
  decodeDeviceFrame,
  type HubFrame,
  PROTOCOL_ERRORS,
  ProtocolError,
  type ProtocolErrorCode,
} from "@telehub/device-client/protocol";
import type pino from "pino";
import type { DeviceRecord } from "../storage/device-repository.js";
import type { DeviceLink, DeviceTransport, LinkListener } from "./device-link.js";
import { DeviceRateLimit } from "./device-rate-limit.js";
import type { GatewayContext } from "./gateway-context.js";
import { frameHandlers } from "./handlers/index.js";

/** The longest delay `setTimeout` takes. */
const MAX_TIMER_MS = 2_147_483_647;

/** Where a session is in its life: waiting for `hello`, answering it, streaming, or gone. */
export type SessionState = "awaiting-hello" | "greeting" | "open" | "closed";

/**
 * One connected device: decodes its frames, hands each to the handler for its type,
 * and answers with acks and errors, over whichever {@link DeviceLink} it came by. Created only
 * after the device authenticated.
 */
export class DeviceSession implements LinkListener {
  state: SessionState = "awaiting-hello";
  readonly connectedAt: number;
  lastSeenAt: number;
  /** When the hub last sent this device a frame. */
  lastSentAt: number;
  /** Set by each heartbeat ping, cleared only by a pong (frames do not answer a ping). */
  awaitingPong = false;
  /** Highest sequence number acknowledged on this connection. */
  ackedSeq = 0;
  /** Batches received and not yet acknowledged or refused. */
  private inFlightWrites = 0;
  /**
   * After a batch is refused for a retryable reason, later batches are refused too until the
   * device resends from there: otherwise a later batch could become durable first and make
   * the refused one look like a duplicate.
   */
  refusedFrom: number | null = null;
  /** Bumped when writes must be abandoned; a queued write from an older generation is cancelled. */
  writeGeneration = 0;
  /** `TH_RATE_LIMITED` answers in a row. */
  strikes = 0;
  /** Frames per second and bytes per second of this device. */
  readonly rate: DeviceRateLimit;
  /** Size in bytes of the frame being handled. */
  frameBytes = 0;
  readonly log: pino.Logger;
  /** Called when the last write in flight settles (`settled()` waiters). */
  private settledWaiters: (() => void)[] = [];
  private helloTimer: NodeJS.Timeout | undefined;
  private credentialTimer: NodeJS.Timeout | undefined;
  private handshakeOpen = true;
  /** Resolves when the link is gone. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    readonly link: DeviceLink,
    readonly device: DeviceRecord,
    readonly remoteAddress: string,
    readonly context: GatewayContext,
  ) {
    const { config, now } = context;
    this.connectedAt = now();
    this.lastSeenAt = this.connectedAt;
    this.lastSentAt = this.connectedAt;
    this.rate = new DeviceRateLimit(config.limits, now);
    this.log = context.log.child({ deviceId: device.id, remoteAddress });
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.helloTimer = setTimeout(() => this.closeWith("TH_HELLO_TIMEOUT"), config.gateway.helloTimeoutMs);
    link.attach(this);
  }

  get id(): string {
    return this.device.id;
  }

  get transport(): DeviceTransport {
    return this.link.transport;
  }

  /**
   * The session was opened with a token that stops working at `at` (a rotated token in its
   * grace period): close it then with `TH_DEVICE_REVOKED`, as if the rotation had just happened.
   */
  expireCredentialAt(at: number): void {
    const delayMs = Math.max(0, at - this.context.now());
    // setTimeout takes at most 2^31 − 1 ms (24.8 days): a longer grace is waited out in steps.
    this.credentialTimer =
      delayMs > MAX_TIMER_MS
        ? setTimeout(() => this.expireCredentialAt(at), MAX_TIMER_MS)
        : setTimeout(() => this.closeWith("TH_DEVICE_REVOKED"), delayMs);
    this.credentialTimer.unref();
  }

  /** Batches received and not yet acknowledged or refused. */
  get inFlight(): number {
    return this.inFlightWrites;
  }

  /** Resolves when every write this session started has settled and been answered. */
  settled(): Promise<void> {
    if (this.inFlightWrites === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /**
   * A batch went to the writer: counted until `writeSettled()`, so that shutdown and a replacing
   * session can wait for its answer. A count rather than a set of promises: this runs once a
   * frame, and whatever it allocates per frame lives until the device's next one.
   */
  writeStarted(): void {
    this.inFlightWrites++;
  }

  /** The batch counted by `writeStarted()` was acknowledged or refused. */
  writeSettled(): void {
    this.inFlightWrites--;
    if (this.inFlightWrites > 0 || this.settledWaiters.length === 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  send(frame: HubFrame): void {
    if (!this.link.open) return;
    this.link.send(frame);
    this.lastSentAt = this.context.now();
  }

  sendAck(seq: number): void {
    if (seq > this.ackedSeq) this.ackedSeq = seq;
    this.send({ t: "ack", seq: this.ackedSeq });
  }

  /** Answer a protocol error: an `error` frame, or a close for errors delivered by closing. */
  fail(error: ProtocolError): void {
    this.context.metrics.rejected.inc({ code: error.code });
    if (PROTOCOL_ERRORS[error.code].delivery.kind === "close") {
      this.log.info({ code: error.code, reason: error.message }, "closing device connection");
      this.closeWith(error.code, error.message);
      return;
    }
    this.send({
      t: "error",
      code: error.code,
      msg: error.message,
      ...(error.seq !== undefined && { seq: error.seq }),
      ...(error.retryAfterMs !== undefined && { retry: error.retryAfterMs }),
    });
  }

  /**
   * End the session with a catalogue code (a WebSocket closes with its close code, the code as
   * the reason). A session closed before its welcome frees its handshake slot now, not when the
   * peer answers.
   */
  closeWith(code: ProtocolErrorCode, message: string = PROTOCOL_ERRORS[code].description): void {
    if (this.state === "closed") return;
    this.link.close(code, message);
    this.endHandshake();
  }

  /** The welcome was sent, or the session is closing without one: this connection no longer counts against admission control. */
  endHandshake(): void {
    if (!this.handshakeOpen) return;
    this.handshakeOpen = false;
    clearTimeout(this.helloTimer);
    this.context.onHandshakeDone(this);
  }

  /** A pong: the answer to the outstanding ping, and a sign of life. */
  markAlive(): void {
    this.awaitingPong = false;
    this.lastSeenAt = this.context.now();
  }

  /** A frame from the device: decode it and hand it to its handler; resolves once the handler is done (a batch's write is not awaited). */
  async receive(data: Uint8Array, isBinary: boolean): Promise<void> {
    // A sign of life for last-seen, but not an answer to a ping: only a pong is.
    this.lastSeenAt = this.context.now();
    if (this.state === "closed") return;
    if (!isBinary) {
      this.fail(new ProtocolError("TH_FRAME_TEXT"));
      return;
    }
    this.frameBytes = data.length;
    let frame: DecodedFrame;
    try {
      frame = decodeDeviceFrame(data, this.context.config.limits);
    } catch (error) {
      this.fail(error as ProtocolError);
      return;
    }
    this.link.noteReceived?.(frame);
    // No batch is taken after the hub's close frame: it could not be acknowledged, and the device
    // resends it after it reconnects, perhaps to another instance (stored there and here, it would
    // count twice). Answers to commands and configurations still count.
    if (frame.t === "batch" && !this.link.open) return;
    if (this.state === "awaiting-hello" && frame.t !== "hello") {
      this.fail(new ProtocolError("TH_PROTOCOL_VIOLATION", "the first frame must be hello"));
      return;
    }
    if (frame.t !== "batch" && frame.t !== "hello" && !this.takeControlToken()) return;
    const handler = Object.hasOwn(frameHandlers, frame.t) ? frameHandlers[frame.t] : undefined;
    // Unknown types share one label: a device must not be able to grow the metric's label set.
    this.context.metrics.framesReceived.inc({ type: handler ? frame.t : "unknown" });
    if (!handler) {
      this.fail(new ProtocolError("TH_FRAME_UNKNOWN_TYPE", `unknown frame type ${JSON.stringify(frame.t.slice(0, 32))}`));
      return;
    }
    try {
      await handler(this, frame);
    } catch (error) {
      this.onHandlerError(error);
    }
  }

  /**
   * Frames other than batches (which answer refusals with their seq) share the device's frame
   * rate: over it, the frame is dropped with `TH_RATE_LIMITED`, and a device that keeps going
   * is disconnected with `TH_FLOOD`.
   */
  private takeControlToken(): boolean {
    if (this.rate.admit(this.frameBytes)) {
      this.strikes = 0;
      return true;
    }
    this.strikes++;
    if (this.strikes > this.context.config.gateway.floodStrikes) this.fail(new ProtocolError("TH_FLOOD"));
    else
      this.fail(
        new ProtocolError("TH_RATE_LIMITED", this.rate.refusal(), {
          retryAfterMs: this.rate.retryAfterMs(this.frameBytes),
        }),
      );
    return false;
  }

  private onHandlerError(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.fail(error);
      return;
    }
    this.log.error({ err: error }, "frame handler failed");
    this.fail(new ProtocolError("TH_INTERNAL"));
  }

  /** The link is gone: the session ends (once). */
  linkClosed(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.credentialTimer);
    this.endHandshake();
    this.log.info({ code, reason, transport: this.transport }, "device disconnected");
    this.context.onSessionClosed(this);
    this.resolveClosed();
  }
}
