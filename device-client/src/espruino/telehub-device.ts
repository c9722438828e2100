import { encodeBatch } from "./batch-encoder.js";
import { type CborValue, cborDecode, cborEncode } from "./cbor.js";
import { type CommandHandler, CommandRunner } from "./command-runner.js";
import { parseHubUrl } from "./hub-url.js";
import type { Platform } from "./platform.js";
import { ReadingRing } from "./reading-ring.js";
import { EspruinoWebSocket } from "./websocket.js";
import type { UpgradeResponse } from "./ws-handshake.js";

/*
 * The protocol client for Espruino (docs/protocol.md): hello/welcome, batches numbered
 * across connections and resent after a reconnect, cumulative acks, retryable refusals
 * (§4.3), full-jitter backoff, the clock offset, commands and desired configuration.
 * Readings wait in a fixed packed ring (`ReadingRing`).
 */

type Frame = { [key: string]: CborValue };
type Doc = { [key: string]: CborValue };

/** Options; every default is in `DEFAULTS`. */
export interface DeviceOptions {
  /** `ws://host:port` (path `/v1/device` by default) or `wss://…`. */
  url: string;
  deviceId: string;
  token: string;
  /** Metric names: `add()` takes the values in this order. */
  metrics: string[];
  /** Readings the offline ring holds (oldest dropped beyond). Default 200. */
  bufferReadings?: number;
  /** Readings per batch (at most the hub's `lim.batch`). Default 20. */
  batchReadings?: number;
  /** A partial batch is sent this long after its first reading. Default 5000 ms. */
  flushMs?: number;
  /** Batches in flight (at most the hub's `lim.inflight`). Default 4. */
  maxInflight?: number;
  /** Backoff: base and cap (ms) of `random(0, min(cap, base × 2^attempt))`. Defaults 500 and 30000. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A clock offset smaller than this is not corrected (§3.2). Default 1000 ms. */
  clockThresholdMs?: number;
  /** Larger hub messages close with 1009. Default 16384 bytes. */
  maxMessageBytes?: number;
  fw?: string;
  model?: string;
  /** Reported attributes sent in `hello`. */
  attrs?: Doc;
  /** Version of the configuration applied before this start (`hello.cfg`). Default 0. */
  configVersion?: number;
  /** Apply a desired configuration document; throw to refuse it. */
  onConfig?: (doc: Doc, version: number) => void;
  /** Command handlers by name. */
  commands?: { [name: string]: CommandHandler };
  /** Events: `welcome`, `ack` (seq), `error` (code, seq), `close` (code, reason), `refused` (status, code), `stopped` (code). */
  onEvent?: (name: string, a?: CborValue, b?: CborValue) => void;
}

const DEFAULTS = {
  bufferReadings: 200,
  batchReadings: 20,
  flushMs: 5000,
  maxInflight: 4,
  backoffBaseMs: 500,
  backoffCapMs: 30000,
  clockThresholdMs: 1000,
  maxMessageBytes: 16384,
};

const RETRYABLE_REFUSALS = ["TH_RATE_LIMITED", "TH_IN_FLIGHT_EXCEEDED", "TH_STORE_UNAVAILABLE"];
/** Close codes after which the device must not reconnect on its own (§7). */
const FINAL_CLOSE_CODES = [1003, 1009, 4400, 4403, 4404, 4409, 4422, 4426];
/** Upgrade statuses after which retrying cannot help (§1.2). */
const FINAL_STATUSES = [400, 401, 403, 404];
const WATCHDOG_GRACE_MS = 5000;

function option(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : value;
}

export class TelehubDevice {
  /** The packed offline buffer. */
  readonly ring: ReadingRing;
  /** Clock offset to the hub (ms), added to timestamps when a batch is encoded. */
  offset = 0;
  /** Highest batch number acknowledged (or reported durable by a welcome). */
  acked = 0;
  /** Applied configuration version. */
  configVersion: number;
  private readonly o: DeviceOptions;
  private readonly platform: Platform;
  private readonly commands: CommandRunner;
  private ws: EspruinoWebSocket | undefined;
  private welcomed = false;
  private stopped = true;
  private lastSeq = 0;
  private sentUpTo = 0;
  private inflightLimit: number;
  private batchLimit: number;
  private helloTime = 0;
  private attempt = 0;
  private flushDue = false;
  private flushTimer: unknown;
  private reconnectTimer: unknown;
  private watchdog: unknown;
  private watchdogMs = 0;
  private paused = false;
  private resumeFrom = 0;
  private resumeFlag = false;
  private retryAfterMs = 0;

  constructor(platform: Platform, options: DeviceOptions) {
    this.platform = platform;
    this.o = options;
    this.ring = new ReadingRing(options.metrics, option(options.bufferReadings, DEFAULTS.bufferReadings));
    this.configVersion = option(options.configVersion, 0);
    this.inflightLimit = option(options.maxInflight, DEFAULTS.maxInflight);
    this.batchLimit = option(options.batchReadings, DEFAULTS.batchReadings);
    this.commands = new CommandRunner(options.commands || {}, (frame) => this.sendFrame(frame));
  }

  /** Connect, and keep reconnecting until `stop()` or a final refusal. */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close with 1000 and do not reconnect. */
  stop(): void {
    this.stopped = true;
    this.clearTimer(this.reconnectTimer);
    if (this.ws) this.ws.close(1000, "stop");
  }

  /** Whether the hub has welcomed the current connection. */
  get connected(): boolean {
    return this.welcomed;
  }

  /** Buffer a reading (values in the order of `metrics`; NaN: absent) taken now on the device clock. */
  add(values: number[]): boolean {
    if (!this.ring.add(this.platform.now(), values)) return false;
    if (this.ring.unbatched() >= this.batchLimit) this.pump();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(
        () => {
          this.flushTimer = undefined;
          this.flushDue = true;
          this.pump();
        },
        option(this.o.flushMs, DEFAULTS.flushMs),
      );
    }
    return true;
  }

  /** Send reported attributes (`report`). */
  report(attrs: Doc): void {
    this.sendFrame({ t: "report", attrs: attrs });
  }

  private emit(name: string, a?: CborValue, b?: CborValue): void {
    if (this.o.onEvent) this.o.onEvent(name, a, b);
  }

  private clearTimer(timer: unknown): void {
    if (timer) clearTimeout(timer as number);
  }

  private sendFrame(frame: Frame): void {
    if (this.ws) this.ws.send(cborEncode(frame));
  }

  private connect(): void {
    const address = parseHubUrl(this.o.url);
    const ws = new EspruinoWebSocket(
      this.platform,
      {
        host: address.host,
        port: address.port,
        path: address.path,
        secure: address.secure,
        headers: { Authorization: "Basic " + btoa(this.o.deviceId + ":" + this.o.token) },
        protocol: "telehub.v1",
        maxMessageBytes: option(this.o.maxMessageBytes, DEFAULTS.maxMessageBytes),
      },
      {
        open: () => this.onOpen(),
        message: (data) => this.onMessage(data),
        activity: () => this.feedWatchdog(),
        refused: (response) => this.onRefused(response),
        close: (code, reason) => this.onClose(ws, code, reason),
      },
    );
    this.ws = ws;
    ws.connect();
  }

  private onOpen(): void {
    this.helloTime = this.platform.now();
    const hello: Frame = { t: "hello", v: 1, fw: this.o.fw || "0.0.0", model: this.o.model || "espruino", time: this.helloTime };
    if (this.o.attrs) hello.attrs = this.o.attrs;
    if (this.configVersion > 0) hello.cfg = this.configVersion;
    this.sendFrame(hello);
  }

  private onMessage(data: string): void {
    let frame: Frame;
    try {
      frame = cborDecode(data) as Frame;
    } catch (error) {
      this.emit("error", "TH_FRAME_MALFORMED", String(error));
      return;
    }
    if (frame === null || typeof frame !== "object") return;
    switch (frame.t) {
      case "welcome":
        this.onWelcome(frame);
        break;
      case "ack":
        this.onAck(frame.seq as number);
        break;
      case "error":
        this.onError(frame);
        break;
      case "cmd":
        this.commands.onCommand(frame.id as string, frame.name as string, (frame.args || {}) as Doc);
        break;
      case "cmd_done":
        this.commands.onDone(frame.id as string);
        break;
      case "config":
        this.onConfig(frame.v as number, frame.d as Doc);
        break;
    }
  }

  private onWelcome(w: Frame): void {
    const t1 = this.platform.now();
    if (typeof w.echo === "number" && typeof w.time === "number") {
      const offset = w.time - (w.echo + t1) / 2;
      this.offset = Math.abs(offset) < option(this.o.clockThresholdMs, DEFAULTS.clockThresholdMs) ? 0 : offset;
    }
    const durable = w.seq as number;
    this.acked = durable;
    this.ring.settle(durable);
    this.lastSeq = Math.max(this.lastSeq, durable);
    this.sentUpTo = durable;
    this.paused = false;
    this.resumeFlag = false;
    const lim = (w.lim || {}) as Doc;
    this.inflightLimit = Math.min(option(this.o.maxInflight, DEFAULTS.maxInflight), option(lim.inflight as number, 16));
    this.batchLimit = Math.min(option(this.o.batchReadings, DEFAULTS.batchReadings), option(lim.batch as number, 500));
    this.watchdogMs = 2 * option(w.hb as number, 15000) + WATCHDOG_GRACE_MS;
    this.feedWatchdog();
    this.attempt = 0;
    this.welcomed = true;
    this.emit("welcome", durable);
    this.commands.resendResults();
    this.pump();
  }

  private onAck(seq: number): void {
    if (seq > this.acked) this.acked = seq;
    this.ring.settle(seq);
    this.emit("ack", seq);
    this.pump();
  }

  private onError(e: Frame): void {
    const code = e.code as string;
    const seq = e.seq as number;
    this.emit("error", code, typeof seq === "number" ? seq : null);
    if (typeof seq !== "number") return;
    if (code === "TH_BATCH_INVALID") {
      this.ring.discard(seq);
      return;
    }
    if (RETRYABLE_REFUSALS.indexOf(code) < 0) return;
    // §4.3: wait, then resend from the refused batch on (the hub refuses everything after it).
    if (this.paused) {
      if (seq < this.resumeFrom) this.resumeFrom = seq;
      return;
    }
    this.paused = true;
    this.resumeFrom = seq;
    const ws = this.ws;
    setTimeout(
      () => {
        if (ws !== this.ws || !this.paused) return;
        this.paused = false;
        this.sentUpTo = Math.max(this.acked, this.resumeFrom - 1);
        this.resumeFlag = !this.ring.has(this.resumeFrom);
        this.pump();
      },
      typeof e.retry === "number" ? e.retry : 1000,
    );
  }

  private onConfig(version: number, doc: Doc): void {
    if (version <= this.configVersion) {
      this.sendFrame({ t: "config_ack", v: version, ok: true });
      return;
    }
    try {
      if (this.o.onConfig) this.o.onConfig(doc, version);
    } catch (error) {
      this.sendFrame({ t: "config_ack", v: version, ok: false, err: String(error) });
      return;
    }
    this.configVersion = version;
    this.sendFrame({ t: "config_ack", v: version, ok: true });
  }

  /** Send batches while the hub lets us: buffered ones first (in order), then new ones. */
  private pump(): void {
    if (!this.welcomed || this.paused || !this.ws) return;
    while (this.ring.countBatches(this.acked, this.sentUpTo) < this.inflightLimit) {
      let seq = this.ring.nextBatch(this.sentUpTo);
      if (seq === 0) {
        const waiting = this.ring.unbatched();
        if (waiting === 0 || (waiting < this.batchLimit && !this.flushDue)) return;
        seq = this.lastSeq + 1;
        this.ring.assign(seq, this.batchLimit);
        this.lastSeq = seq;
        if (waiting <= this.batchLimit) this.flushDue = false;
      }
      this.ws.send(encodeBatch(this.ring, seq, this.offset, this.resumeFlag));
      this.resumeFlag = false;
      this.sentUpTo = seq;
    }
  }

  private feedWatchdog(): void {
    if (this.watchdogMs === 0) return;
    this.clearTimer(this.watchdog);
    const ws = this.ws;
    this.watchdog = setTimeout(() => {
      // §5: nothing from the hub for 2 × hb plus a grace: it is gone.
      if (ws === this.ws && ws) ws.terminate();
    }, this.watchdogMs);
  }

  private onRefused(response: UpgradeResponse): void {
    const code = response.headers["x-telehub-error"] || "";
    this.emit("refused", response.status, code);
    if (FINAL_STATUSES.indexOf(response.status) >= 0) this.finish(code || "HTTP " + response.status);
    else {
      const retryAfter = response.headers["retry-after"];
      let seconds = 0;
      if (retryAfter) for (let i = 0; i < retryAfter.length; i++) seconds = seconds * 10 + retryAfter.charCodeAt(i) - 48;
      this.retryAfterMs = seconds * 1000;
    }
  }

  private finish(reason: string): void {
    this.stopped = true;
    this.emit("stopped", reason);
  }

  private onClose(ws: EspruinoWebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.welcomed = false;
    this.paused = false;
    this.clearTimer(this.watchdog);
    this.watchdogMs = 0;
    this.emit("close", code, reason);
    if (!this.stopped && FINAL_CLOSE_CODES.indexOf(code) >= 0) this.finish(reason || "close " + code);
    if (this.stopped) return;
    const ceiling = Math.min(
      option(this.o.backoffCapMs, DEFAULTS.backoffCapMs),
      // biome-ignore lint/style/useExponentiationOperator: Espruino has no `**`
      option(this.o.backoffBaseMs, DEFAULTS.backoffBaseMs) * Math.pow(2, this.attempt),
    );
    this.attempt++;
    const delay = Math.max(this.retryAfterMs, this.platform.random() * ceiling);
    this.retryAfterMs = 0;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
  }
}
