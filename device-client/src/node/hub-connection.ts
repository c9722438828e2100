import { EventEmitter } from "node:events";
import WebSocket, { type ClientOptions, type RawData } from "ws";
import {
  type CheckedHubFrame,
  type DeviceFrame,
  decodeFrame,
  encodeFrame,
  type HelloFrame,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  validateHubFrame,
  type WelcomeFrame,
} from "../protocol/index.js";
import type { ConnectionEnd, ConnectionEvents, DeviceConnection, SessionSettings } from "./device-connection.js";
import { HeartbeatWatchdog } from "./heartbeat-watchdog.js";
import { readUpgradeRefusal, type UpgradeRefusal } from "./upgrade-refusal.js";

export type { ConnectionEnd, SessionStart } from "./device-connection.js";

/** What one WebSocket connection attempt needs. */
export interface ConnectionSettings extends SessionSettings {
  /** The device endpoint as `ws(s)://…/v1/device`, with `?device=&token=` in query mode. */
  url: string;
  wsOptions: ClientOptions;
}

/**
 * One connection attempt to the hub, from the upgrade to the close: sends `hello`, waits for
 * `welcome` within the connect timeout, then hands acks and errors up and watches for a dead
 * hub. Emits `end` exactly once.
 */
export class HubConnection extends EventEmitter<ConnectionEvents> implements DeviceConnection {
  readonly transport = "ws";
  private readonly ws: WebSocket;
  private connectTimer: NodeJS.Timeout | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private helloSentAt = 0;
  private welcomed = false;
  private upgraded = false;
  private timedOut = false;
  private ended = false;
  private localEnd: { code: number; reason: string } | undefined;
  private refusal: UpgradeRefusal | undefined;
  private cause: Error | undefined;
  private dog: HeartbeatWatchdog | undefined;

  constructor(private readonly settings: ConnectionSettings) {
    super();
    const { wsOptions } = settings;
    this.ws = new WebSocket(settings.url, SUBPROTOCOL, {
      ...wsOptions,
      headers: { ...wsOptions.headers, ...settings.headers },
      perMessageDeflate: false,
    });
    this.ws.binaryType = "nodebuffer";
    this.connectTimer = setTimeout(() => {
      this.timedOut = true;
      this.abort(1006, `connect timeout: no welcome within ${settings.connectTimeoutMs} ms`);
    }, settings.connectTimeoutMs);
    this.ws.on("upgrade", () => {
      this.upgraded = true;
    });
    this.ws.on("unexpected-response", (_req, res) => {
      this.refusal = readUpgradeRefusal(res, settings.now());
      res.resume();
      this.ws.terminate();
    });
    this.ws.on("open", () => this.sendHello());
    this.ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on("ping", () => this.dog?.touch());
    this.ws.on("error", (error) => {
      this.cause ??= error;
    });
    this.ws.on("close", (code, reason) => this.finish(code, reason.toString()));
  }

  /** True between `welcome` and the end. */
  get open(): boolean {
    return this.welcomed && !this.ended && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: DeviceFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(frame), { binary: true });
  }

  /** Close with a close frame; cut the socket if the hub does not answer within `graceMs`. */
  close(code = 1000, reason = "", graceMs = 1_000): Promise<void> {
    return new Promise((resolve) => {
      if (this.ended) return resolve();
      this.once("end", () => resolve());
      this.localEnd ??= { code, reason };
      if (this.ws.readyState === WebSocket.CONNECTING) {
        this.ws.terminate();
        return;
      }
      this.ws.close(code, reason);
      this.forceTimer = setTimeout(() => this.ws.terminate(), graceMs);
    });
  }

  /** Drop the connection without a close handshake, reporting `code` and `reason`. */
  abort(code: number, reason: string): void {
    if (this.ended) return;
    this.localEnd ??= { code, reason };
    this.ws.terminate();
  }

  private sendHello(): void {
    this.helloSentAt = this.settings.now();
    const hello: HelloFrame = { t: "hello", v: PROTOCOL_VERSION, ...this.settings.hello, time: this.helloSentAt };
    this.ws.send(encodeFrame(hello), { binary: true });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.dog?.touch();
    if (!isBinary) return;
    let frame: CheckedHubFrame | undefined;
    try {
      frame = validateHubFrame(decodeFrame(data as Buffer));
    } catch (error) {
      this.localEnd ??= { code: 4400, reason: `TH_FRAME_MALFORMED: ${(error as Error).message}` };
      this.ws.close(4400, "TH_FRAME_MALFORMED");
      return;
    }
    // Unknown types are ignored: later minor versions may add frames (commands, config).
    if (!frame) return;
    if (frame.t === "welcome") {
      if (!this.welcomed) this.onWelcome(frame);
      return;
    }
    if (this.welcomed) this.emit("frame", frame);
  }

  private onWelcome(welcome: WelcomeFrame): void {
    this.welcomed = true;
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (welcome.hb > 0) {
      const timeoutMs = 2 * welcome.hb + this.settings.heartbeatGraceMs;
      this.dog = new HeartbeatWatchdog(timeoutMs, () => this.abort(4410, `TH_HEARTBEAT_TIMEOUT: nothing from the hub for ${timeoutMs} ms`));
      this.dog.touch();
    }
    this.emit("welcome", { welcome, helloSentAt: this.helloSentAt, receivedAt: this.settings.now() });
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.forceTimer);
    this.dog?.stop();
    const end: ConnectionEnd = this.localEnd ? { ...this.localEnd } : { code, reason };
    end.upgraded = this.upgraded;
    if (this.timedOut) end.timedOut = true;
    if (this.refusal) end.refusal = this.refusal;
    if (this.cause && !this.refusal) end.cause = this.cause;
    this.emit("end", end);
  }
}
