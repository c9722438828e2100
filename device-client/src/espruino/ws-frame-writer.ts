import type { Platform } from "./platform.js";

/*
 * Client-to-server WebSocket frames (RFC 6455 §5.2): always final, always masked with a fresh
 * key. Built in one Uint8Array and handed to the socket as one binary string.
 */

export const OP_TEXT = 1;
export const OP_BINARY = 2;
export const OP_CLOSE = 8;
export const OP_PING = 9;
export const OP_PONG = 10;

/** A masked frame carrying `payload` (a binary string). */
export function writeFrame(platform: Platform, opcode: number, payload: string): string {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 0x10000 ? 2 : 8;
  const start = 2 + lengthBytes + 4;
  const out = new Uint8Array(start + n);
  out[0] = 0x80 | opcode;
  if (lengthBytes === 0) out[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    out[1] = 0x80 | 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    for (let i = 0; i < 4; i++) out[9 - i] = (n >>> (8 * i)) & 0xff;
  }
  const key = start - 4;
  for (let i = 0; i < 4; i++) out[key + i] = Math.floor(platform.random() * 256);
  for (let i = 0; i < n; i++) out[start + i] = (payload.charCodeAt(i) & 0xff) ^ (out[key + (i & 3)] as number);
  return platform.toBinaryString(out);
}

/** The payload of a close frame: the code, then the reason. */
export function closePayload(code: number, reason: string): string {
  return String.fromCharCode(code >> 8, code & 0xff) + reason;
}
