import type { Platform } from "./platform.js";
import { chr } from "./strings.js";

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
  const start = 6 + lengthBytes;
  const out = new Uint8Array(start + n);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | (lengthBytes ? (lengthBytes < 8 ? 126 : 127) : n);
  // Big-endian length after the second byte (the upper half of an 8-byte length stays 0).
  for (let i = 0; i < lengthBytes && i < 4; i++) out[1 + lengthBytes - i] = (n >>> (8 * i)) & 0xff;
  for (let i = 0; i < 4; i++) out[start - 4 + i] = Math.floor(platform.random() * 256);
  for (let i = 0; i < n; i++) out[start + i] = (payload.charCodeAt(i) & 0xff) ^ (out[start - 4 + (i & 3)] as number);
  return platform.toBinaryString(out);
}

/** The payload of a close frame: the code, then the reason. */
export function closePayload(code: number, reason: string): string {
  return chr(code >> 8) + chr(code & 0xff) + reason;
}
