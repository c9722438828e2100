/*
 * The CBOR subset of protocol v1 for Espruino: maps with text keys, text, integers, float64
 * (float16/32 decoded), true/false/null, arrays. Values travel as *binary strings* (one char
 * per byte), which is what Espruino sockets read and write; text is written as its char codes,
 * so on the ESP32 (byte strings, no unicode) UTF-8 text passes through unchanged.
 *
 * Byte-compatible with the hub's encoder (cbor-x, see `protocol/codec.ts`): shortest heads;
 * integers in [-2^32, 2^32) as integers, every other number as float64 (`0xfb`).
 * ES2015 only, no hoisting reliance: see docs/esp32.md.
 */

/** A value this codec encodes and decodes. */
export type CborValue = null | boolean | number | string | CborValue[] | { [key: string]: CborValue };

const TWO_32 = 4294967296;
const scratch = new DataView(new ArrayBuffer(8));

/** The head of a data item: major type and argument, shortest form. */
export function cborHead(major: number, n: number): string {
  const m = major << 5;
  if (n < 24) return String.fromCharCode(m | n);
  if (n < 0x100) return String.fromCharCode(m | 24, n);
  if (n < 0x10000) return String.fromCharCode(m | 25, n >> 8, n & 0xff);
  return String.fromCharCode(m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/** A number: an integer in [-2^32, 2^32) as an integer, anything else as float64, as cbor-x does. */
export function cborNumber(v: number): string {
  if (v >>> 0 === v) return cborHead(0, v);
  if (v < 0 && v >= -TWO_32 && Math.floor(v) === v) return cborHead(1, -1 - v);
  scratch.setFloat64(0, v);
  let s = "\xfb";
  for (let i = 0; i < 8; i++) s += String.fromCharCode(scratch.getUint8(i));
  return s;
}

/** A text string of bytes (char codes 0–255). */
export function cborText(s: string): string {
  return cborHead(3, s.length) + s;
}

/** Encode a value as a binary string. `undefined` map values are left out. */
export function cborEncode(v: CborValue): string {
  if (v === null) return "\xf6";
  if (v === true) return "\xf5";
  if (v === false) return "\xf4";
  if (typeof v === "number") return cborNumber(v);
  if (typeof v === "string") return cborText(v);
  let s = "";
  if (Array.isArray(v)) {
    s = cborHead(4, v.length);
    for (let i = 0; i < v.length; i++) s += cborEncode(v[i] as CborValue);
    return s;
  }
  let n = 0;
  for (const k in v) {
    const item = v[k];
    if (item === undefined) continue;
    s += cborText(k) + cborEncode(item);
    n++;
  }
  return cborHead(5, n) + s;
}

/** A decoding cursor over a binary string. */
interface Cursor {
  s: string;
  p: number;
}

function byteAt(c: Cursor): number {
  if (c.p >= c.s.length) throw new Error("CBOR: short");
  return c.s.charCodeAt(c.p++) & 0xff;
}

function uintOf(c: Cursor, bytes: number): number {
  let n = 0;
  for (let i = 0; i < bytes; i++) n = n * 256 + byteAt(c);
  return n;
}

/** The argument of a head; -1 for indefinite length. 8-byte values are read as hi × 2^32 + lo. */
function argumentOf(c: Cursor, info: number): number {
  if (info < 24) return info;
  if (info === 24) return byteAt(c);
  if (info === 25) return uintOf(c, 2);
  if (info === 26) return uintOf(c, 4);
  if (info === 27) {
    const hi = uintOf(c, 4);
    return hi * TWO_32 + uintOf(c, 4);
  }
  if (info === 31) return -1;
  throw new Error("CBOR: arg " + info);
}

function floatOf(c: Cursor, bytes: number): number {
  if (bytes === 2) {
    const h = uintOf(c, 2);
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    // biome-ignore lint/style/useExponentiationOperator: Espruino has no `**`
    if (exp === 0) return sign * frac * Math.pow(2, -24);
    if (exp === 31) return frac ? NaN : sign * Infinity;
    // biome-ignore lint/style/useExponentiationOperator: Espruino has no `**`
    return sign * (1024 + frac) * Math.pow(2, exp - 25);
  }
  for (let i = 0; i < bytes; i++) scratch.setUint8(i, byteAt(c));
  return bytes === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
}

function isBreak(c: Cursor): boolean {
  if ((c.s.charCodeAt(c.p) & 0xff) !== 0xff) return false;
  c.p++;
  return true;
}

function textOf(c: Cursor, n: number): string {
  if (n < 0) {
    let s = "";
    while (!isBreak(c)) {
      const head = byteAt(c);
      if (head >> 5 !== 3) throw new Error("CBOR: chunk");
      s += textOf(c, argumentOf(c, head & 0x1f));
    }
    return s;
  }
  if (c.p + n > c.s.length) throw new Error("CBOR: short");
  const s = c.s.substr(c.p, n);
  c.p += n;
  return s;
}

function itemOf(c: Cursor): CborValue {
  const head = byteAt(c);
  const major = head >> 5;
  const info = head & 0x1f;
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22 || info === 23) return null;
    if (info === 25) return floatOf(c, 2);
    if (info === 26) return floatOf(c, 4);
    if (info === 27) return floatOf(c, 8);
    throw new Error("CBOR: simple " + info);
  }
  const n = argumentOf(c, info);
  if (major === 0) return n;
  if (major === 1) return -1 - n;
  if (major === 3) return textOf(c, n);
  if (major === 4) {
    const a: CborValue[] = [];
    while (n < 0 ? !isBreak(c) : a.length < n) a.push(itemOf(c));
    return a;
  }
  if (major === 5) {
    const o: { [key: string]: CborValue } = {};
    for (let i = 0; n < 0 ? !isBreak(c) : i < n; i++) {
      const k = itemOf(c);
      if (typeof k !== "string") throw new Error("CBOR: key");
      o[k] = itemOf(c);
    }
    return o;
  }
  throw new Error("CBOR: type " + major);
}

/** Decode one data item from a binary string; throws on anything outside the subset or trailing bytes. */
export function cborDecode(s: string): CborValue {
  const c: Cursor = { s: s, p: 0 };
  const v = itemOf(c);
  if (c.p !== s.length) throw new Error("CBOR: trailing");
  return v;
}
