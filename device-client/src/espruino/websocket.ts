import type { EspruinoSocket, Platform } from "./platform.js";
import { FrameReader } from "./ws-frame-reader.js";
import { closePayload, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, writeFrame } from "./ws-frame-writer.js";
import { parseUpgradeResponse, type UpgradeResponse, upgradeRequest } from "./ws-handshake.js";

/*
 * A WebSocket client over Espruino's `net` (or `tls`): binary messages both ways as binary
 * strings, ping answered with pong, close frames sent and answered, fragmented messages
 * reassembled. Espruino's stock `ws` module drops binary server frames, hence this one.
 */

export interface WebSocketOptions {
  host: string;
  port: number;
  path: string;
  secure: boolean;
  /** Extra request headers, e.g. `Authorization` and `Sec-WebSocket-Protocol`. */
  headers: { [name: string]: string };
  /** The subprotocol the server must select. */
  protocol: string;
  /** Larger messages close the connection with 1009. */
  maxMessageBytes: number;
}

export interface WebSocketEvents {
  open(): void;
  /** A binary message, as a binary string. */
  message(data: string): void;
  /** Any sign of life: a frame, a ping, a pong. */
  activity(): void;
  /** The server answered the upgrade with something else than 101. */
  refused(response: UpgradeResponse): void;
  /** The connection ended: the close code (1006 without a close frame) and reason. Called once. */
  close(code: number, reason: string): void;
}

const HANDSHAKE_MAX_BYTES = 4096;
const CLOSE_WAIT_MS = 2000;

export class EspruinoWebSocket {
  private readonly platform: Platform;
  private readonly options: WebSocketOptions;
  private readonly events: WebSocketEvents;
  private socket: EspruinoSocket | undefined;
  private state = "idle";
  private head = "";
  private closeCode = 1006;
  private closeReason = "";
  private closeSent = false;
  private closeTimer: unknown;
  private readonly reader: FrameReader;

  constructor(platform: Platform, options: WebSocketOptions, events: WebSocketEvents) {
    this.platform = platform;
    this.options = options;
    this.events = events;
    this.reader = new FrameReader(options.maxMessageBytes, {
      frame: (opcode, payload) => this.onFrame(opcode, payload),
      fail: (code, reason) => this.close(code, reason),
    });
  }

  /** Open the TCP connection and send the upgrade. Errors, also synchronous ones, end in `close(1006)`. */
  connect(): void {
    const o = this.options;
    let key = "";
    for (let i = 0; i < 16; i++) key += String.fromCharCode(Math.floor(this.platform.random() * 256));
    const headers: { [name: string]: string } = { "Sec-WebSocket-Protocol": o.protocol };
    for (const name in o.headers) headers[name] = o.headers[name] as string;
    const request = upgradeRequest(o.host, o.port, o.path, btoa(key), headers);
    const net = o.secure ? this.platform.tls : this.platform.net;
    this.state = "connecting";
    try {
      if (!net) throw new Error("no tls on this platform");
      const socket = net.connect({ host: o.host, port: o.port }, () => {
        if (this.state === "connecting") socket.write(request);
      });
      this.socket = socket;
      socket.on("data", (data) => this.onData(String(data)));
      socket.on("error", (error) => {
        this.closeReason = String(error);
      });
      socket.on("close", () => this.onSocketClose());
    } catch (error) {
      // Espruino throws for a refused connection or an unknown host instead of emitting `error`.
      this.closeReason = String(error);
      setTimeout(() => this.onSocketClose(), 0);
    }
  }

  /** Send a binary message (a binary string). Ignored unless open. */
  send(data: string): void {
    if (this.state === "open" && this.socket) this.socket.write(writeFrame(this.platform, OP_BINARY, data));
  }

  /** Start the closing handshake; the socket is cut if the server does not answer in time. */
  close(code: number, reason: string): void {
    if (this.state === "open" && this.socket && !this.closeSent) {
      this.closeSent = true;
      this.closeCode = code;
      this.closeReason = reason;
      this.socket.write(writeFrame(this.platform, OP_CLOSE, closePayload(code, reason)));
      this.state = "closing";
      this.closeTimer = setTimeout(() => this.terminate(), CLOSE_WAIT_MS);
    } else this.terminate();
  }

  /** Cut the connection without a close frame (a dead peer). */
  terminate(): void {
    if (this.socket) this.socket.end();
    else if (this.state === "connecting") this.onSocketClose();
  }

  private onData(data: string): void {
    if (this.state === "open" || this.state === "closing") {
      this.reader.push(data);
      return;
    }
    if (this.state !== "connecting") return;
    this.head += data;
    const end = this.head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.head.length > HANDSHAKE_MAX_BYTES) this.terminate();
      return;
    }
    const rest = this.head.substr(end + 4);
    const response = parseUpgradeResponse(this.head.substr(0, end));
    this.head = "";
    // biome-ignore lint/complexity/useOptionalChain: Espruino has no `?.`
    if (!response || response.status !== 101) {
      this.state = "refused";
      if (response) this.events.refused(response);
      this.terminate();
      return;
    }
    if (response.headers["sec-websocket-protocol"] !== this.options.protocol) {
      this.state = "refused";
      this.closeReason = "the server did not select " + this.options.protocol;
      this.terminate();
      return;
    }
    this.state = "open";
    this.events.open();
    if (rest.length > 0) this.reader.push(rest);
  }

  private onFrame(opcode: number, payload: string): void {
    this.events.activity();
    if (opcode === OP_BINARY) {
      if (this.state === "open") this.events.message(payload);
    } else if (opcode === OP_PING) {
      if (this.state === "open" && this.socket) this.socket.write(writeFrame(this.platform, OP_PONG, payload));
    } else if (opcode === OP_CLOSE) {
      const code = payload.length >= 2 ? ((payload.charCodeAt(0) & 0xff) << 8) | (payload.charCodeAt(1) & 0xff) : 1005;
      if (!this.closeSent) {
        this.closeCode = code;
        this.closeReason = payload.substr(2);
        this.closeSent = true;
        if (this.socket) this.socket.write(writeFrame(this.platform, OP_CLOSE, code === 1005 ? "" : closePayload(code, "")));
      }
      this.state = "closing";
      this.terminate();
    } else if (opcode !== OP_PONG) {
      // A text message: the protocol uses binary frames only.
      this.close(1003, "binary frames only");
    }
  }

  private onSocketClose(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    if (this.closeTimer) clearTimeout(this.closeTimer as number);
    this.socket = undefined;
    this.events.close(this.closeCode, this.closeReason);
  }
}
