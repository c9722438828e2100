import { OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from "./ws-frame-writer.js";

/*
 * Server-to-client WebSocket frames from a stream of binary strings, in whatever pieces the
 * socket delivers them. Fragmented messages are reassembled up to `maxMessageBytes`; control
 * frames may arrive between fragments. A protocol violation ends in `fail(code, reason)`.
 */

export interface FrameReaderEvents {
  /** A complete message (opcode 1 or 2) or a control frame (8, 9, 10). */
  frame(opcode: number, payload: string): void;
  /** The stream broke RFC 6455 or a limit: close with this code. */
  fail(code: number, reason: string): void;
}

export class FrameReader {
  private pending = "";
  private fragments = "";
  private fragmentOpcode = 0;
  private failed = false;
  private readonly maxMessageBytes: number;
  private readonly events: FrameReaderEvents;

  constructor(maxMessageBytes: number, events: FrameReaderEvents) {
    this.maxMessageBytes = maxMessageBytes;
    this.events = events;
  }

  push(data: string): void {
    if (this.failed) return;
    this.pending += data;
    while (!this.failed && this.next()) {
      // each call consumes one frame
    }
  }

  private fail(code: number, reason: string): false {
    this.failed = true;
    this.pending = "";
    this.fragments = "";
    this.events.fail(code, reason);
    return false;
  }

  /** Consume one complete frame from `pending`; false when more bytes are needed. */
  private next(): boolean {
    const s = this.pending;
    if (s.length < 2) return false;
    const b0 = s.charCodeAt(0) & 0xff;
    const b1 = s.charCodeAt(1) & 0xff;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (b0 & 0x70) return this.fail(1002, "reserved bits set");
    if (b1 & 0x80) return this.fail(1002, "a server must not mask");
    let n = b1 & 0x7f;
    let at = 2;
    if (n === 126) {
      if (s.length < 4) return false;
      n = ((s.charCodeAt(2) & 0xff) << 8) | (s.charCodeAt(3) & 0xff);
      at = 4;
    } else if (n === 127) {
      if (s.length < 10) return false;
      n = 0;
      for (let i = 2; i < 10; i++) n = n * 256 + (s.charCodeAt(i) & 0xff);
      at = 10;
    }
    const control = opcode >= 8;
    if (control && (n > 125 || !fin)) return this.fail(1002, "bad control frame");
    if (!control && this.fragments.length + n > this.maxMessageBytes) return this.fail(1009, "message too big");
    if (s.length < at + n) return false;
    const payload = s.substr(at, n);
    this.pending = s.substr(at + n);
    if (control) {
      if (opcode !== OP_CLOSE && opcode !== OP_PING && opcode !== OP_PONG) return this.fail(1002, "unknown opcode");
      this.events.frame(opcode, payload);
      return true;
    }
    if (opcode === 0) {
      if (this.fragmentOpcode === 0) return this.fail(1002, "continuation without a start");
      this.fragments += payload;
    } else if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (this.fragmentOpcode !== 0) return this.fail(1002, "new message inside a fragmented one");
      this.fragmentOpcode = opcode;
      this.fragments = payload;
    } else return this.fail(1002, "unknown opcode");
    if (fin) {
      const message = this.fragments;
      const messageOpcode = this.fragmentOpcode;
      this.fragments = "";
      this.fragmentOpcode = 0;
      this.events.frame(messageOpcode, message);
    }
    return true;
  }
}
