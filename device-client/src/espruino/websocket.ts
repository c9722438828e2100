import type { HubAddress } from "./hub-url.js";
import type { EspruinoSocket, Platform } from "./platform.js";
import { byteAt, chr } from "./strings.js";
import { createFrameReader } from "./ws-frame-reader.js";
import { closePayload, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, writeFrame } from "./ws-frame-writer.js";
import { headerOf, upgradeRequest, upgradeStatus } from "./ws-handshake.js";

/*
 * A WebSocket client over Espruino's `net` (or `tls`): binary messages both ways as binary
 * strings, ping answered with pong, close frames sent and answered, fragmented messages
 * reassembled. Espruino's stock `ws` module drops binary server frames, hence this one.
 * A closure rather than a class: its locals minify to one letter, `this.name` would not.
 */

export interface WebSocketOptions {
  address: HubAddress;
  /** Extra request header lines, each ending in CRLF (e.g. `Authorization`). */
  headers: string;
  /** The subprotocol to ask for, which the server must select. */
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
  /** The server answered the upgrade with another status than 101; `head` is the response head. */
  refused(status: number, head: string): void;
  /** The connection ended: the close code (1006 without a close frame) and reason. Called once, never synchronously. */
  close(code: number, reason: string): void;
}

export interface EspruinoWebSocket {
  /** Send a binary message (a binary string). Ignored unless open. */
  send(data: string): void;
  /** Start the closing handshake; the socket is cut if the server does not answer in time. */
  close(code: number, reason: string): void;
  /** Cut the connection without a close frame (a dead peer). */
  terminate(): void;
}

const CONNECTING = 1;
const OPEN = 2;
const CLOSING = 3;
const CLOSED = 4;
const REFUSED = 5;
const HANDSHAKE_MAX_BYTES = 4096;
const CLOSE_WAIT_MS = 2000;

/** Open the TCP (or TLS) connection and send the upgrade. Errors, also synchronous ones, end in `close(1006)`. */
export function openWebSocket(platform: Platform, o: WebSocketOptions, events: WebSocketEvents): EspruinoWebSocket {
  const address = o.address;
  let socket: EspruinoSocket | undefined;
  let state = CONNECTING;
  let head = "";
  let closeCode = 1006;
  let closeReason = "";
  let closeSent = false;
  let closeTimer: unknown;

  const write = (opcode: number, payload: string): void => {
    if (socket) socket.write(writeFrame(platform, opcode, payload));
  };

  const ended = (): void => {
    if (state === CLOSED) return;
    state = CLOSED;
    if (closeTimer) clearTimeout(closeTimer as number);
    socket = undefined;
    events.close(closeCode, closeReason);
  };

  const terminate = (): void => {
    if (socket) socket.end();
    else if (state === CONNECTING) ended();
  };

  const close = (code: number, reason: string): void => {
    if (state === OPEN && !closeSent) {
      closeSent = true;
      closeCode = code;
      closeReason = reason;
      write(OP_CLOSE, closePayload(code, reason));
      state = CLOSING;
      closeTimer = setTimeout(terminate, CLOSE_WAIT_MS);
    } else terminate();
  };

  const onFrame = (opcode: number, payload: string): void => {
    events.activity();
    if (opcode === OP_BINARY) {
      if (state === OPEN) events.message(payload);
    } else if (opcode === OP_PING) {
      if (state === OPEN) write(OP_PONG, payload);
    } else if (opcode === OP_CLOSE) {
      const code = payload.length > 1 ? (byteAt(payload, 0) << 8) | byteAt(payload, 1) : 1005;
      if (!closeSent) {
        closeCode = code;
        closeReason = payload.substr(2);
        closeSent = true;
        write(OP_CLOSE, code === 1005 ? "" : closePayload(code, ""));
      }
      state = CLOSING;
      terminate();
    } else if (opcode !== OP_PONG) close(1003, "binary frames only"); // a text message
  };

  const push = createFrameReader(o.maxMessageBytes, onFrame, close);

  const onData = (data: string): void => {
    if (state !== CONNECTING) {
      if (state === OPEN || state === CLOSING) push(data);
      return;
    }
    head += data;
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > HANDSHAKE_MAX_BYTES) terminate();
      return;
    }
    const response = head.substr(0, end);
    const rest = head.substr(end + 4);
    const status = upgradeStatus(response);
    head = "";
    state = REFUSED;
    if (status !== 101) {
      if (status) events.refused(status, response);
    } else if (headerOf(response, "sec-websocket-protocol") !== o.protocol) closeReason = "no " + o.protocol;
    else {
      state = OPEN;
      events.open();
      if (rest) push(rest);
      return;
    }
    terminate();
  };

  let key = "";
  for (let i = 0; i < 16; i++) key += chr(Math.floor(platform.random() * 256));
  const request = upgradeRequest(
    address.host,
    address.port,
    address.path,
    btoa(key),
    "Sec-WebSocket-Protocol: " + o.protocol + "\r\n" + o.headers,
  );
  try {
    const net = address.secure ? platform.tls : platform.net;
    if (!net) throw new Error("no tls");
    const s = net.connect({ host: address.host, port: address.port }, () => {
      if (state === CONNECTING) s.write(request);
    });
    socket = s;
    s.on("data", (data) => onData(String(data)));
    s.on("error", (error) => {
      closeReason = String(error);
    });
    s.on("close", ended);
  } catch (error) {
    // Espruino throws for a refused connection or an unknown host instead of emitting `error`.
    closeReason = String(error);
    setTimeout(ended, 0);
  }
  return {
    send: (data) => {
      if (state === OPEN) write(OP_BINARY, data);
    },
    close: close,
    terminate: terminate,
  };
}
