/*
 * Binary strings (one char per byte) are how Espruino sockets carry data; the helpers here are
 * shared by the CBOR codec, the WebSocket code and the URL parser, and keep the bundle small.
 */

/** The one-char binary string of a byte. */
export function chr(byte: number): string {
  return String.fromCharCode(byte);
}

/** The byte at `i` of a binary string (`& 0xff`: a char above 255 would be a caller's bug). */
export function byteAt(s: string, i: number): number {
  return s.charCodeAt(i) & 0xff;
}

/** A non-negative decimal integer written in ASCII digits, NaN for anything else (no `parseInt`: Espruino reads "010" as octal). */
export function decimal(s: string): number {
  let n = s.length ? 0 : NaN;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    n = d < 0 || d > 9 ? NaN : n * 10 + d;
  }
  return n;
}
