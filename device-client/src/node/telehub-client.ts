import { EventEmitter } from "node:events";
import {
  type AckFrame,
  type CheckedHubFrame,
  codeOfClose,
  DEFAULT_LIMITS,
  type DeviceFrame,
  type ErrorFrame,
  fromWireLimits,
  type MetricValue,
  PROTOCOL_ERRORS,
  type ProtocolErrorCode,
  type ProtocolLimits,
  toWireLimits,
  type WelcomeFrame,
  type WireLimits,
} from "../protocol/index.js";
import { Backoff } from "./backoff.js";
import { BatchAssembler } from "./batch-assembler.js";
import { MemoryBuffer } from "./buffer/memory-buffer.js";
import type { OfflineBuffer, RemovedCount } from "./buffer/offline-buffer.js";
import { TelehubClientError } from "./client-errors.js";
import type { ClientStats, DisconnectedEvent, TelehubClientEvents } from "./client-events.js";
import { type ResolvedOptions, resolveOptions, type TelehubClientOptions } from "./client-options.js";
import { type CommandHandler, CommandRunner } from "./command-runner.js";
import { type ConfigHandler, ConfigReceiver } from "./config-receiver.js";
import { DeliveryWindow } from "./delivery-window.js";
import type { ConnectionEnd, DeviceConnection, SessionStart, Transport } from "./device-connection.js";
import { HttpConnection } from "./http-connection.js";
import { HubConnection } from "./hub-connection.js";
import { basicAuthorization, deviceEndpoint, httpEndpoint } from "./hub-url.js";
import { checkReading, type Metrics } from "./reading-check.js";
import { TransportPlan } from "./transport-plan.js";
import { isFatalRefusal } from "./upgrade-refusal.js";
import { requestOptionsOf } from "./ws-request-options.js";

/** Close codes after which reconnecting cannot help (or another instance of this device is running). */
const FATAL_CLOSES: ReadonlySet<ProtocolErrorCode> = new Set([
  "TH_DEVICE_REVOKED",
  "TH_DEVICE_DELETED",
  "TH_SESSION_REPLACED",
  "TH_VERSION_UNSUPPORTED",
]);

/** Options of {@link TelehubClient.close}. */
export interface CloseOptions {
  /** Wait for buffered batches to be acknowledged first. Default true. */
  flush?: boolean;
  /** Bound of that wait in ms; what is still unacknowledged afterwards stays in the buffer. Default 5,000. */
  timeoutMs?: number;
}

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
type FlushWaiter = { throughSeq: number; resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/**
 * The Node device client: streams telemetry to a Telehub hub over WebSocket + CBOR (or, where a
 * WebSocket cannot pass, HTTP requests with long polling), with batching, an offline buffer,
 * at-least-once delivery (resend until acknowledged), clock offset, heartbeats and reconnection
 * with full-jitter backoff. See `docs/protocol.md` and `docs/node-client.md`.
 *
 * @example
 * const client = new TelehubClient({ url: "ws://hub:8080", deviceId, token });
 * await client.connect();
 * client.send({ temp: 21.5 });
 * await client.close();
 */
export class TelehubClient extends EventEmitter<TelehubClientEvents> {
  private readonly options: ResolvedOptions;
  private readonly buffer: OfflineBuffer;
  private readonly ownsBuffer: boolean;
  private readonly assembler: BatchAssembler;
  private readonly backoff: Backoff;
  private readonly window: DeliveryWindow;
  private readonly commands: CommandRunner;
  private readonly config: ConfigReceiver;
  private readonly plan: TransportPlan;
  private connection: DeviceConnection | undefined;
  /** A background WebSocket attempt while on HTTP (the upgrade back). */
  private probe: DeviceConnection | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  /** The transport of the last session that reached `welcome`. */
  private welcomedTransport: Transport | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private limits: ProtocolLimits = DEFAULT_LIMITS;
  private offsetMs = 0;
  /** The newest timestamp `send()` gave a reading itself (on the hub's time base). */
  private lastOwnStamp = Number.NEGATIVE_INFINITY;
  /**
   * The first seq appended since this client started, while no `welcome` has measured the clock
   * offset yet: those readings are on the bare device clock. Undefined once corrected.
   */
  private uncorrectedFromSeq: number | undefined;
  private state: "idle" | "running" | "closed" = "idle";
  private pendingConnect: Deferred | undefined;
  private readonly flushWaiters = new Set<FlushWaiter>();
  private closing: Promise<void> | undefined;
  private readonly counters = {
    sentBatches: 0,
    ackedBatches: 0,
    ackedReadings: 0,
    droppedReadings: 0,
    rejectedBatches: 0,
    reconnects: 0,
    lastAckLatencyMs: undefined as number | undefined,
  };

  constructor(options: TelehubClientOptions) {
    super();
    this.options = resolveOptions(options);
    this.ownsBuffer = options.buffer === undefined;
    this.buffer = options.buffer ?? new MemoryBuffer({ maxReadings: 10_000 });
    this.uncorrectedFromSeq = this.buffer.nextSeq;
    this.backoff = new Backoff(this.options.backoff, this.options.random);
    this.plan = new TransportPlan(this.options.transports);
    this.assembler = new BatchAssembler(this.options.batchIntervalMs, (readings) => this.onBatchSealed(readings));
    this.window = new DeliveryWindow(this.options.now, () => this.pump());
    this.commands = new CommandRunner((frame) => this.sendNow(frame));
    this.config = new ConfigReceiver((frame) => this.sendNow(frame), options.configVersion ?? 0);
  }

  /** True while a session is open (between `welcome` and the close). */
  get connected(): boolean {
    return this.connection?.open ?? false;
  }

  /** The open session's transport: `"ws"` or `"http"`; undefined while not connected. The `transport` event tells each change. */
  get transport(): Transport | undefined {
    return this.connection?.open ? this.connection.transport : undefined;
  }

  /**
   * The correction added to device timestamps: hub clock − device clock as measured at the
   * last `welcome`, or 0 while that is below `clockCorrectionThresholdMs` (and before the first).
   */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** The limits in force: the hub's from the last `welcome`, the protocol defaults before. */
  get hubLimits(): Readonly<ProtocolLimits> {
    return this.limits;
  }

  get stats(): ClientStats {
    return { ...this.counters, bufferedReadings: this.buffer.readingCount + this.assembler.size };
  }

  /**
   * Start the connection loop. Resolves at the first `welcome`; rejects when the hub refuses
   * for good (bad or revoked credentials, another session of this device, …) or on `close()`.
   * Otherwise it reconnects with backoff, forever. Calling it again returns the same promise.
   */
  connect(): Promise<void> {
    if (this.state === "closed") return Promise.reject(new TelehubClientError("TH_CLIENT_CLOSED", "the client is closed"));
    if (this.state === "running") return this.pendingConnect?.promise ?? Promise.resolve();
    this.state = "running";
    this.pendingConnect = deferred();
    this.openConnection();
    return this.pendingConnect.promise;
  }

  /**
   * Add a reading to the open batch. `timestamp` is ms on the device clock (default now); the
   * reading is stamped with it plus the clock offset. Without `timestamp`, each reading gets a
   * later stamp than the previous one stamped so (1 ms later when sent within one millisecond). Throws an `InvalidReadingError`
   * (a `TypeError`) for input the hub would refuse, and `TH_CLIENT_CLOSED` after `close()`.
   */
  send(metrics: Metrics, timestamp?: number): void {
    if (this.state === "closed") throw new TelehubClientError("TH_CLIENT_CLOSED", "send() after close()");
    const at = timestamp ?? this.options.now();
    const m = checkReading(metrics, at, this.limits);
    let ts = Math.round(at + this.offsetMs);
    if (timestamp === undefined) {
      // Two readings stamped in one millisecond would be one point, and the hub refuses a batch
      // holding one metric twice at one ts with two values: the client's own stamps never repeat.
      if (ts <= this.lastOwnStamp) ts = this.lastOwnStamp + 1;
      this.lastOwnStamp = ts;
    }
    this.assembler.add(
      { ts, m },
      { maxReadings: Math.min(this.options.maxBatchReadings, this.limits.maxReadingsPerBatch), maxFrameBytes: this.limits.maxFrameBytes },
    );
  }

  /**
   * Close the open batch and resolve once every batch buffered so far is acknowledged
   * (or dropped/rejected). Rejects with `TH_CLIENT_FLUSH_TIMEOUT` after `timeoutMs` (default 30,000).
   */
  flush(timeoutMs = 30_000): Promise<void> {
    this.assembler.seal();
    const throughSeq = this.buffer.nextSeq - 1;
    if (this.settledThrough(throughSeq)) return Promise.resolve();
    if (this.state === "closed") return Promise.reject(new TelehubClientError("TH_CLIENT_CLOSED", "flush() after close()"));
    return new Promise((resolve, reject) => {
      const waiter: FlushWaiter = {
        throughSeq,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.flushWaiters.delete(waiter);
          reject(new TelehubClientError("TH_CLIENT_FLUSH_TIMEOUT", `flush: batches still unacknowledged after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.flushWaiters.add(waiter);
    });
  }

  /**
   * Flush (bounded), close the connection with 1000 and stop reconnecting. Every timer is
   * cleared. Readings in the open batch go to the buffer (kept by a `FileBuffer`).
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.flush ?? true, options.timeoutMs ?? 5_000);
    return this.closing;
  }

  private async shutdown(flush: boolean, timeoutMs: number): Promise<void> {
    if (flush && this.state === "running") await this.flush(timeoutMs).catch(() => undefined);
    this.assembler.seal();
    this.state = "closed";
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopProbing();
    this.assembler.dispose();
    this.window.dispose();
    const closed = new TelehubClientError("TH_CLIENT_CLOSED", "the client was closed");
    this.pendingConnect?.reject(closed);
    this.pendingConnect = undefined;
    for (const waiter of this.flushWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(closed);
    }
    this.flushWaiters.clear();
    await this.connection?.close(1000, "client closed");
    if (this.ownsBuffer) this.buffer.close();
  }

  private openConnection(): void {
    this.reconnectTimer = undefined;
    this.connection = this.attach(this.createConnection(this.plan.current));
  }

  private createConnection(transport: Transport): DeviceConnection {
    const { options } = this;
    const url = deviceEndpoint(options.url, { deviceId: options.deviceId, token: options.token, mode: options.credentials });
    const headers: Record<string, string> =
      options.credentials === "header" ? { Authorization: basicAuthorization(options.deviceId, options.token) } : {};
    const hello = {
      ...(options.firmware !== undefined && { fw: options.firmware }),
      ...(options.model !== undefined && { model: options.model }),
      caps: ["batch"],
      ...(options.attributes !== undefined && { attrs: options.attributes }),
      ...(options.commands !== undefined && { cmds: [...options.commands] }),
      // Always said, 0 included: a device that lost its configuration gets it again.
      cfg: this.config.appliedVersion,
    };
    const common = {
      headers,
      hello,
      connectTimeoutMs: options.connectTimeoutMs,
      heartbeatGraceMs: options.heartbeatGraceMs,
      now: options.now,
    };
    if (transport === "http") {
      return new HttpConnection({
        ...common,
        url: httpEndpoint(url),
        requestOptions: requestOptionsOf(options.wsOptions),
        waitMs: options.httpWaitMs,
      });
    }
    return new HubConnection({ ...common, url, wsOptions: options.wsOptions });
  }

  /** Route a connection's events; those of a connection that is no longer the client's are ignored. */
  private attach<C extends DeviceConnection>(connection: C): C {
    connection.on("welcome", (start) => {
      if (connection === this.connection) this.onWelcome(connection, start);
      else if (connection === this.probe) this.adoptProbe(connection, start);
    });
    connection.on("frame", (frame) => {
      if (connection === this.connection) this.onFrame(frame);
    });
    connection.on("end", (end) => {
      if (connection === this.probe) this.onProbeEnd(end);
      else this.onEnd(connection, end);
    });
    return connection;
  }

  /** While an HTTP session is open and a WebSocket is preferred: try one every `upgradeRetryMs`. */
  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    if (this.state !== "running" || !this.plan.upgradesBack || this.connection?.transport !== "http") return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.state !== "running" || this.connection?.transport !== "http" || !this.connection.open || this.probe) return;
      this.probe = this.attach(this.createConnection("ws"));
    }, this.options.upgradeRetryMs);
  }

  /**
   * The background WebSocket reached `welcome`: its hello replaced the HTTP session at the hub
   * (whose poll answers 409 from then on), so it becomes the client's session.
   */
  private adoptProbe(probe: DeviceConnection, start: SessionStart): void {
    this.probe = undefined;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const replaced = this.connection;
    this.connection = probe;
    replaced?.abort(1000, "upgraded to WebSocket");
    this.onWelcome(probe, start);
  }

  /** The background WebSocket failed: stay on HTTP and try again later, or reconnect if the HTTP session ended meanwhile. */
  private onProbeEnd(end: ConnectionEnd): void {
    this.probe = undefined;
    if (this.state !== "running") return;
    if (this.connection) {
      this.scheduleProbe();
      return;
    }
    if (this.reconnectTimer === undefined) this.scheduleReconnect(end, "ws", false);
  }

  private stopProbing(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const probe = this.probe;
    this.probe = undefined;
    probe?.abort(1000, "client closed");
  }

  private onWelcome(connection: DeviceConnection, { welcome, helloSentAt, receivedAt }: SessionStart): void {
    this.backoff.reset();
    const previous = this.welcomedTransport;
    this.welcomedTransport = connection.transport;
    this.plan.welcomed(connection.transport);
    this.limits = limitsOf(welcome.lim);
    const sentAt = welcome.echo ?? helloSentAt;
    const measuredMs = Math.round(welcome.time - (sentAt + receivedAt) / 2);
    this.offsetMs = Math.abs(measuredMs) >= this.options.clockCorrectionThresholdMs ? measuredMs : 0;
    const restampedReadings = this.restampUncorrected();
    // The hub holds everything ≤ welcome.seq durably: those are as good as acknowledged.
    this.countAcked(welcome.seq, this.buffer.resync(welcome.seq), undefined);
    this.window.reset(this.limits.maxBatchesInFlight);
    this.pendingConnect?.resolve();
    this.pendingConnect = undefined;
    if (previous !== connection.transport) this.emit("transport", { transport: connection.transport, previous });
    this.emit("connected", {
      transport: connection.transport,
      hubTime: welcome.time,
      clockOffsetMs: this.offsetMs,
      measuredClockOffsetMs: measuredMs,
      roundTripMs: receivedAt - sentAt,
      lastSeq: welcome.seq,
      heartbeatMs: welcome.hb,
      limits: this.limits,
      restampedReadings,
    });
    this.commands.resendUnconfirmed();
    this.pump();
    this.settleFlushes();
    this.scheduleProbe();
  }

  /**
   * At the first `welcome`: readings taken before it were stamped on the device clock; they get
   * the offset now, as later ones get it when taken. Runs before `resync` renumbers the buffer.
   * Answers how many readings were re-stamped.
   */
  private restampUncorrected(): number {
    const fromSeq = this.uncorrectedFromSeq;
    this.uncorrectedFromSeq = undefined;
    if (fromSeq === undefined || this.offsetMs === 0) return 0;
    this.assembler.shiftTimestamps(this.offsetMs);
    this.lastOwnStamp += this.offsetMs;
    return this.assembler.size + this.buffer.shiftTimestamps(fromSeq, this.offsetMs);
  }

  private onFrame(frame: Exclude<CheckedHubFrame, WelcomeFrame>): void {
    if (frame.t === "ack") this.onAck(frame);
    else if (frame.t === "error") this.onErrorFrame(frame);
    else if (frame.t === "cmd") this.commands.receive(frame);
    else if (frame.t === "cmd_done") this.commands.confirm(frame.id);
    else this.config.receive(frame);
  }

  /** Send a frame now if a session is open; commands and config recover from a drop on their own. */
  private sendNow(frame: DeviceFrame): void {
    if (this.connection?.open) this.connection.send(frame);
  }

  /**
   * Handle the command `name`: the handler gets the command's arguments and returns its result
   * (or a promise of it); throwing fails the command with the error's message. A command with
   * no handler fails with `TH_CMD_UNKNOWN`. Each command id runs at most once.
   */
  onCommand(name: string, handler: CommandHandler): this {
    this.commands.on(name, handler);
    return this;
  }

  /**
   * Apply desired configuration: the handler gets the full document and its version whenever
   * the hub has a newer one (also on reconnect if the device is behind); throwing reports failure.
   */
  onConfig(handler: ConfigHandler): this {
    this.config.on(handler);
    return this;
  }

  /** Report attributes (firmware, IP, uptime, free memory, …) now; they are also sent in every `hello`. */
  report(attributes: Record<string, MetricValue>): void {
    this.options.attributes = { ...this.options.attributes, ...attributes };
    this.sendNow({ t: "report", attrs: attributes });
  }

  /** Version of the desired configuration last applied (0: none). */
  get configVersion(): number {
    return this.config.appliedVersion;
  }

  private onAck(frame: AckFrame): void {
    const latency = this.window.acknowledged(frame.seq);
    this.countAcked(frame.seq, this.buffer.acknowledge(frame.seq), latency);
    this.pump();
    this.settleFlushes();
  }

  /**
   * §4.3/§4.4: an error about a batch (with `seq`) and a `retry` is a retryable refusal: pause,
   * then resend from that batch. With `seq` and no `retry` it is permanent, whatever its code
   * (`TH_BATCH_INVALID`, `TH_TYPE_CONFLICT`, `TH_METRIC_LIMIT`, `TH_TIMESTAMP_OUT_OF_RANGE`, and
   * codes of later versions): the batch is dropped, reported as `rejected`, and never resent.
   */
  private onErrorFrame(frame: ErrorFrame): void {
    if (frame.retry !== undefined || isRetryableCode(frame.code)) {
      // Without a seq (a control frame over the rate) this only pauses sending for `retry`.
      this.window.refused(frame.seq, frame.retry ?? this.options.backoff.initialMs);
      return;
    }
    if (frame.seq === undefined) return; // TH_FRAME_INVALID, TH_FRAME_UNKNOWN_TYPE: about a frame that is not a batch.
    const batch = this.buffer.remove(frame.seq);
    this.window.removed(frame.seq);
    this.counters.rejectedBatches++;
    this.emit("rejected", { seq: frame.seq, code: frame.code, message: frame.msg, readings: batch?.readings.length ?? 0 });
    this.pump();
    this.settleFlushes();
  }

  private onEnd(connection: DeviceConnection, end: ConnectionEnd): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    this.window.reset(1);
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const errorCode = end.refusal ? end.refusal.code : codeOfClose(end.code);
    if (this.state !== "running") {
      this.emit("disconnected", { ...disconnection(connection, end, false), willReconnect: false, delayMs: 0 });
      return;
    }
    // A background WebSocket's hello replaced this HTTP session: its welcome is on the way (or it fails and the client reconnects).
    if (this.probe && connection.transport === "http" && errorCode === "TH_SESSION_REPLACED") return;
    const fallback = this.plan.fallsBackAfter(connection.transport, end);
    if (!fallback && isFatal(end, errorCode)) {
      this.stopWith(fatalError(end, errorCode), disconnection(connection, end, false));
      return;
    }
    this.scheduleReconnect(end, connection.transport, fallback);
  }

  /** Reconnect after backoff (at least a 503's `Retry-After`), or at once after a fallback to HTTP. */
  private scheduleReconnect(end: ConnectionEnd, transport: Transport, fallback: boolean): void {
    let delayMs = fallback ? 0 : this.backoff.next();
    if (end.refusal?.retryAfterMs !== undefined && !fallback) delayMs = Math.max(delayMs, end.refusal.retryAfterMs);
    this.counters.reconnects++;
    const event: DisconnectedEvent = { ...disconnection({ transport }, end, fallback), willReconnect: true, delayMs };
    this.reconnectTimer = setTimeout(() => this.openConnection(), delayMs);
    this.emit("disconnected", event);
  }

  /** A fatal refusal: stop the loop (a later `connect()` may start it again), report, reject `connect()`. */
  private stopWith(error: TelehubClientError, base: Omit<DisconnectedEvent, "willReconnect" | "delayMs">): void {
    this.state = "idle";
    this.emit("disconnected", { ...base, willReconnect: false, delayMs: 0 });
    if (this.listenerCount("error") > 0) this.emit("error", error);
    this.pendingConnect?.reject(error);
    this.pendingConnect = undefined;
  }

  private onBatchSealed(readings: Parameters<OfflineBuffer["append"]>[0]): void {
    const { dropped } = this.buffer.append(readings);
    if (dropped.batches > 0) {
      this.counters.droppedReadings += dropped.readings;
      this.emit("dropped", { batches: dropped.batches, readings: dropped.readings, reason: "overflow" });
      this.settleFlushes();
    }
    this.pump();
  }

  private pump(): void {
    const connection = this.connection;
    if (!connection?.open) return;
    for (const frame of this.window.take(this.buffer)) {
      connection.send(frame);
      this.counters.sentBatches++;
    }
  }

  private countAcked(seq: number, removed: RemovedCount, latencyMs: number | undefined): void {
    if (latencyMs !== undefined) this.counters.lastAckLatencyMs = latencyMs;
    if (removed.batches === 0) return;
    this.counters.ackedBatches += removed.batches;
    this.counters.ackedReadings += removed.readings;
    this.emit("ack", { seq, readings: removed.readings, batches: removed.batches });
  }

  private settledThrough(seq: number): boolean {
    const oldest = this.buffer.firstFrom(0);
    return oldest === undefined || oldest.seq > seq;
  }

  private settleFlushes(): void {
    for (const waiter of this.flushWaiters) {
      if (!this.settledThrough(waiter.throughSeq)) continue;
      clearTimeout(waiter.timer);
      this.flushWaiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** `welcome.lim`, with the protocol defaults for anything a hub left out. */
function limitsOf(lim: Partial<WireLimits>): ProtocolLimits {
  const announced = fromWireLimits({ ...toWireLimits(DEFAULT_LIMITS), ...lim });
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(limits) as (keyof ProtocolLimits)[]) {
    const value = announced[key];
    if (typeof value === "number" && value > 0) limits[key] = value;
  }
  return limits;
}

/** The fields of a `disconnected` event besides `willReconnect` and `delayMs`. */
function disconnection(
  connection: Pick<DeviceConnection, "transport">,
  end: ConnectionEnd,
  fallback: boolean,
): Omit<DisconnectedEvent, "willReconnect" | "delayMs"> {
  const errorCode = end.refusal ? end.refusal.code : codeOfClose(end.code);
  return { transport: connection.transport, fallback, code: end.code, reason: end.reason, errorCode, httpStatus: end.refusal?.status };
}

/**
 * Ends after which reconnecting cannot help. A refused request of an HTTP session that the hub no
 * longer knows (404 `TH_SESSION_UNKNOWN`: restarted, expired) is not one: a new `hello` starts another.
 */
function isFatal(end: ConnectionEnd, errorCode: ProtocolErrorCode | undefined): boolean {
  if (errorCode !== undefined && FATAL_CLOSES.has(errorCode)) return true;
  if (!end.refusal) return false;
  return errorCode !== "TH_SESSION_UNKNOWN" && isFatalRefusal(end.refusal);
}

/** A catalogue code marked retryable (an error from an older hub may lack `retry`). */
function isRetryableCode(code: string): boolean {
  return Object.hasOwn(PROTOCOL_ERRORS, code) && PROTOCOL_ERRORS[code as ProtocolErrorCode].retryable;
}

function fatalError(end: ConnectionEnd, code: ProtocolErrorCode | undefined): TelehubClientError {
  const description = code ? PROTOCOL_ERRORS[code].description : "";
  if (end.refusal) {
    const message = `the hub refused the upgrade: HTTP ${end.refusal.status}${code ? ` ${code}: ${description}` : ""}`;
    return new TelehubClientError(code ?? "TH_CLIENT_UPGRADE_REFUSED", message, { httpStatus: end.refusal.status });
  }
  const resolved = code ?? "TH_INTERNAL";
  return new TelehubClientError(resolved, `the hub closed the connection: ${end.code} ${resolved}: ${description}`, {
    closeCode: end.code,
  });
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
