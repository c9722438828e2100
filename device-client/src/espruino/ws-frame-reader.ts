import { byteAt } from "./strings.js";

/*
 * Server-to-client WebSocket frames from a stream of binary strings, in whatever pieces the
 * socket delivers them. Fragmented messages are reassembled up to `maxMessageBytes`; control
 * frames may arrive between fragments. A protocol violation ends in `fail(code, reason)`.
 */

/** Feed the reader the bytes as they arrive. */
export type FrameReader = (data: string) => void;

/**
 * A reader calling `frame` with each complete message (opcode 1 or 2) or control frame
 * (8, 9, 10), and `fail` once, with the close code, when the stream breaks RFC 6455 or the limit.
 */
export function createFrameReader(
  maxMessageBytes: number,
  frame: (opcode: number, payload: string) => void,
  fail: (code: number, reason: string) => void,
): FrameReader {
  let pending = "";
  let fragments = "";
  let fragmentOpcode = 0;
  let failed = false;

  const stop = (code: number, reason: string): false => {
    failed = true;
    pending = "";
    fragments = "";
    fail(code, reason);
    return false;
  };

  /** Consume one complete frame from `pending`; false when more bytes are needed. */
  const next = (): boolean => {
    const s = pending;
    if (s.length < 2) return false;
    const b0 = byteAt(s, 0);
    const b1 = byteAt(s, 1);
    const fin = b0 & 0x80;
    const opcode = b0 & 0x0f;
    const control = opcode >= 8;
    if (b0 & 0x70 || b1 & 0x80) return stop(1002, "reserved bits or a masked frame");
    if (opcode > 10 || (opcode > 2 && !control)) return stop(1002, "unknown opcode");
    let n = b1 & 0x7f;
    let at = 2;
    if (n > 125) {
      at = n === 126 ? 4 : 10;
      if (s.length < at) return false;
      n = 0;
      for (let i = 2; i < at; i++) n = n * 256 + byteAt(s, i);
    }
    if (control && (n > 125 || !fin)) return stop(1002, "bad control frame");
    if (!control && fragments.length + n > maxMessageBytes) return stop(1009, "message too big");
    if (s.length < at + n) return false;
    const payload = s.substr(at, n);
    pending = s.substr(at + n);
    if (control) {
      frame(opcode, payload);
      return true;
    }
    // A continuation needs a message to continue; a new message must not start inside one.
    if ((opcode === 0) === (fragmentOpcode === 0)) return stop(1002, "bad continuation");
    if (opcode) fragmentOpcode = opcode;
    fragments += payload;
    if (fin) {
      const message = fragments;
      const messageOpcode = fragmentOpcode;
      fragments = "";
      fragmentOpcode = 0;
      frame(messageOpcode, message);
    }
    return true;
  };

  return (data) => {
    if (failed) return;
    pending += data;
    while (!failed && next()) {
      // each call consumes one frame
    }
  };
}
