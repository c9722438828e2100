import { encodeBatch } from "./batch-encoder.js";
import { type CborValue, cborDecode, cborEncode } from "./cbor.js";
import type { ClientOptions } from "./client-options.js";
import { createCommandRunner } from "./command-runner.js";
import { parseHubUrl } from "./hub-url.js";
import type { Platform } from "./platform.js";
import { option, RETRYABLE_REFUSALS } from "./protocol-rules.js";
import { ReadingRing } from "./reading-ring.js";
import { decimal } from "./strings.js";
import { type EspruinoWebSocket, openWebSocket } from "./websocket.js";
import { headerOf } from "./ws-handshake.js";

/*
 * The protocol client for Espruino (docs/protocol.md): hello/welcome, batches numbered
 * across connections and resent after a reconnect, cumulative acks, retryable refusals
 * (§4.3), full-jitter backoff, the clock offset, commands and desired configuration.
 * Readings wait in a fixed packed ring (`ReadingRing`).
 */

type Frame = { [key: string]: CborValue };
type Doc = { [key: string]: CborValue };

/** Options; each optional one says its default. */
export interface DeviceOptions extends ClientOptions {
  /** Readings the offline ring holds (oldest dropped beyond). Default 200. */
  bufferReadings?: number;
  /** A partial batch is sent this long after its first reading. Default 5000 ms. */
  flushMs?: number;
  /** Batches in flight (at most the hub's `lim.inflight`). Default 4. */
  maxInflight?: number;
  /** Backoff: base and cap (ms) of `random(0, min(cap, base × 2^attempt))`. Defaults 500 and 30000. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Larger hub messages close with 1009. Default 16384 bytes. */
  maxMessageBytes?: number;
  /**
   * Events: `welcome`, `ack` (seq), `error` (code, seq: every error frame), `rejected` (code, seq: a batch refused for
   * good and dropped), `close` (code, reason), `refused` (status, code), `stopped` (code).
   */
  onEvent?: (name: string, a?: CborValue, b?: CborValue) => void;
}

/** Close codes after which the device must not reconnect on its own (§7). */
const FINAL_CLOSE_CODES = [1003, 1009, 4400, 4403, 4404, 4409, 4422, 4426];
/** Upgrade statuses after which retrying cannot help (§1.2). */
const FINAL_STATUSES = [400, 401, 403, 404];
const WATCHDOG_GRACE_MS = 5000;

function clearTimer(timer: unknown): void {
  // Espruino's clearTimeout() without an argument clears every timer.
  if (timer) clearTimeout(timer as number);
}

/** The device's side of the protocol. */
export interface TelehubDevice {
  /** The packed offline buffer. */
  readonly ring: ReadingRing;
  /** Connect, and keep reconnecting until `stop()` or a final refusal. */
  start(): void;
  /** Close with 1000 and do not reconnect. */
  stop(): void;
  /** Buffer a reading (values in the order of `metrics`; NaN: absent) taken now on the device clock. */
  add(values: number[]): boolean;
  /** Send reported attributes (`report`). */
  report(attrs: Doc): void;
  /** Whether the hub has welcomed the current connection. */
  connected(): boolean;
  /** The applied configuration version. */
  configVersion(): number;
}

/**
 * A device client. A closure rather than a class: its state is in locals, which the minifier
 * names with one letter, where `this.name` would cost the name at every use on the device.
 */
export function createDevice(platform: Platform, o: DeviceOptions): TelehubDevice {
  const maxInflight = option(o.maxInflight, 4);
  const maxBatch = option(o.batchReadings, 20);
  const ring = new ReadingRing(o.metrics, option(o.bufferReadings, 200));
  let ws: EspruinoWebSocket | undefined;
  let configVersion = option(o.configVersion, 0);
  /** Clock offset to the hub (ms), added to timestamps when a batch is encoded. */
  let offset = 0;
  /** Highest batch number acknowledged (or reported durable by a welcome). */
  let acked = 0;
  let lastSeq = 0;
  let sentUpTo = 0;
  let inflightLimit = maxInflight;
  let batchLimit = maxBatch;
  let attempt = 0;
  let watchdogMs = 0;
  let resumeFrom = 0;
  let retryAfterMs = 0;
  let welcomed = false;
  let stopped = true;
  let flushDue = false;
  let paused = false;
  let resumeFlag = false;
  let flushTimer: unknown;
  let reconnectTimer: unknown;
  let watchdog: unknown;

  const emit = (name: string, a?: CborValue, b?: CborValue): void => {
    if (o.onEvent) o.onEvent(name, a, b);
  };

  const sendFrame = (frame: Frame): void => {
    if (ws) ws.send(cborEncode(frame));
  };

  const commands = createCommandRunner(o.commands || {}, sendFrame);

  /** Send batches while the hub lets us: buffered ones first (in order), then new ones. */
  const pump = (): void => {
    if (!welcomed || paused || !ws) return;
    while (ring.countBatches(acked, sentUpTo) < inflightLimit) {
      let seq = ring.nextBatch(sentUpTo);
      if (seq === 0) {
        const waiting = ring.unbatched();
        if (waiting === 0 || (waiting < batchLimit && !flushDue)) return;
        seq = ++lastSeq;
        ring.assignBatch(seq, batchLimit);
        if (waiting <= batchLimit) flushDue = false;
      }
      ws.send(encodeBatch(ring, seq, offset, resumeFlag));
      resumeFlag = false;
      sentUpTo = seq;
    }
  };

  const feedWatchdog = (): void => {
    if (watchdogMs === 0) return;
    clearTimer(watchdog);
    const current = ws;
    watchdog = setTimeout(() => {
      // §5: nothing from the hub for 2 × hb plus a grace: it is gone.
      if (current === ws && current) current.terminate();
    }, watchdogMs);
  };

  const finish = (reason: string): void => {
    stopped = true;
    emit("stopped", reason);
  };

  const onWelcome = (w: Frame): void => {
    const t1 = platform.now();
    if (typeof w.echo === "number" && typeof w.time === "number") {
      const measured = w.time - (w.echo + t1) / 2;
      offset = Math.abs(measured) < option(o.clockThresholdMs, 1000) ? 0 : measured;
    }
    const durable = w.seq as number;
    acked = durable;
    ring.settle(durable);
    lastSeq = Math.max(lastSeq, durable);
    sentUpTo = durable;
    paused = false;
    resumeFlag = false;
    const lim = (w.lim || {}) as Doc;
    inflightLimit = Math.min(maxInflight, option(lim.inflight as number, 16));
    batchLimit = Math.min(maxBatch, option(lim.batch as number, 500));
    watchdogMs = 2 * option(w.hb as number, 15000) + WATCHDOG_GRACE_MS;
    feedWatchdog();
    attempt = 0;
    welcomed = true;
    emit("welcome", durable);
    commands.resend();
    pump();
  };

  const onError = (e: Frame): void => {
    const code = e.code as string;
    const seq = e.seq as number;
    const numbered = typeof seq === "number";
    emit("error", code, numbered ? seq : null);
    if (!numbered) return;
    if (typeof e.retry !== "number" && RETRYABLE_REFUSALS.indexOf(code) < 0) {
      // §4.4: a seq and no retry is a permanent refusal, whatever the code: drop the batch, never resend it.
      ring.discard(seq);
      emit("rejected", code, seq);
      return;
    }
    // §4.3: wait, then resend from the refused batch on (the hub refuses everything after it).
    if (paused) {
      if (seq < resumeFrom) resumeFrom = seq;
      return;
    }
    paused = true;
    resumeFrom = seq;
    const current = ws;
    setTimeout(
      () => {
        if (current !== ws || !paused) return;
        paused = false;
        sentUpTo = Math.max(acked, resumeFrom - 1);
        resumeFlag = !ring.has(resumeFrom);
        pump();
      },
      typeof e.retry === "number" ? e.retry : 1000,
    );
  };

  const onConfig = (version: number, doc: Doc): void => {
    const ack: Frame = { t: "config_ack", v: version, ok: true };
    if (version > configVersion) {
      try {
        if (o.onConfig) o.onConfig(doc, version);
        configVersion = version;
      } catch (error) {
        ack.ok = false;
        ack.err = String(error);
      }
    }
    sendFrame(ack);
  };

  const onMessage = (data: string): void => {
    let frame: Frame;
    try {
      frame = cborDecode(data) as Frame;
    } catch (error) {
      emit("error", "TH_FRAME_MALFORMED", String(error));
      return;
    }
    if (frame === null || typeof frame !== "object") return;
    const t = frame.t;
    if (t === "welcome") onWelcome(frame);
    else if (t === "ack") {
      const seq = frame.seq as number;
      if (seq > acked) acked = seq;
      ring.settle(seq);
      emit("ack", seq);
      pump();
    } else if (t === "error") onError(frame);
    else if (t === "cmd") commands.command(frame.id as string, frame.name as string, (frame.args || {}) as Doc);
    else if (t === "cmd_done") commands.done(frame.id as string);
    else if (t === "config") onConfig(frame.v as number, frame.d as Doc);
  };

  const onRefused = (status: number, head: string): void => {
    const code = headerOf(head, "x-telehub-error");
    emit("refused", status, code);
    if (FINAL_STATUSES.indexOf(status) >= 0) finish(code || "HTTP " + status);
    else retryAfterMs = (decimal(headerOf(head, "retry-after")) || 0) * 1000;
  };

  const onClose = (closed: EspruinoWebSocket, code: number, reason: string): void => {
    if (closed !== ws) return;
    ws = undefined;
    welcomed = false;
    paused = false;
    clearTimer(watchdog);
    watchdogMs = 0;
    emit("close", code, reason);
    if (!stopped && FINAL_CLOSE_CODES.indexOf(code) >= 0) finish(reason || "close " + code);
    if (stopped) return;
    const ceiling = Math.min(
      option(o.backoffCapMs, 30000),
      // biome-ignore lint/style/useExponentiationOperator: Espruino has no `**`
      option(o.backoffBaseMs, 500) * Math.pow(2, attempt++),
    );
    const delay = Math.max(retryAfterMs, platform.random() * ceiling);
    retryAfterMs = 0;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (!stopped) connect();
    }, delay);
  };

  const connect = (): void => {
    const socket: EspruinoWebSocket = openWebSocket(
      platform,
      {
        address: parseHubUrl(o.url),
        headers: "Authorization: Basic " + btoa(o.deviceId + ":" + o.token) + "\r\n",
        protocol: "telehub.v1",
        maxMessageBytes: option(o.maxMessageBytes, 16384),
      },
      {
        open: () => {
          const hello: Frame = { t: "hello", v: 1, fw: o.fw || "0.0.0", model: o.model || "espruino", time: platform.now() };
          if (o.attrs) hello.attrs = o.attrs;
          if (configVersion > 0) hello.cfg = configVersion;
          sendFrame(hello);
        },
        message: onMessage,
        activity: feedWatchdog,
        refused: onRefused,
        close: (code, reason) => onClose(socket, code, reason),
      },
    );
    ws = socket;
  };

  return {
    ring: ring,
    start: () => {
      stopped = false;
      connect();
    },
    stop: () => {
      stopped = true;
      clearTimer(reconnectTimer);
      if (ws) ws.close(1000, "stop");
    },
    add: (values) => {
      if (!ring.add(platform.now(), values)) return false;
      if (ring.unbatched() >= batchLimit) pump();
      else if (!flushTimer) {
        flushTimer = setTimeout(
          () => {
            flushTimer = undefined;
            flushDue = true;
            pump();
          },
          option(o.flushMs, 5000),
        );
      }
      return true;
    },
    report: (attrs) => sendFrame({ t: "report", attrs: attrs }),
    connected: () => welcomed,
    configVersion: () => configVersion,
  };
}
