import { byteAt, chr } from "./strings.js";

/*
 * The CBOR subset of protocol v1 for Espruino: maps with text keys, text, integers, float64
 * (float16/32 decoded), true/false/null, arrays. Values travel as *binary strings* (one char
 * per byte), which is what Espruino sockets read and write. Text on the wire is UTF-8 and its
 * length is counted in bytes: on the ESP32 (byte strings, no unicode) a string already is its
 * UTF-8 bytes and passes through unchanged; where strings hold characters (Espruino's Linux
 * build, Node) text is encoded to UTF-8 and decoded from it (`toUtf8`, `fromUtf8`).
 *
 * Byte-compatible with the hub's encoder (cbor-x, see `protocol/codec.ts`): shortest heads;
 * integers in [-2^32, 2^32) as integers, every other number as float64 (`0xfb`).
 * ES2015 only, no hoisting reliance: see docs/esp32.md.
 */

/** A value this codec encodes and decodes. */
export type CborValue = null | boolean | number | string | CborValue[] | { [key: string]: CborValue };

const TWO_32 = 4294967296;
/** Strings hold characters, not bytes: "\u263a" is one char 0x263a (on the ESP32 it is cut to the byte 0x3a). */
const UNICODE = "\u263a".charCodeAt(0) === 0x263a;
const scratch = new DataView(new ArrayBuffer(8));

/** A string's UTF-8 bytes as a binary string; on a byte-string build, the string itself. */
export function toUtf8(s: string): string {
  if (!UNICODE) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    // A surrogate pair is one code point.
    if (c >= 0xd800 && c < 0xdc00) c = 0x10000 + ((c - 0xd800) << 10) + s.charCodeAt(++i) - 0xdc00;
    // Continuation bytes after the lead byte, whose top n + 1 bits are set.
    let n = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
    out += chr(n ? ((0xff << (7 - n)) & 0xff) | (c >> (6 * n)) : c);
    while (n-- > 0) out += chr(0x80 | ((c >> (6 * n)) & 63));
  }
  return out;
}

/** The characters of UTF-8 bytes (a binary string); on a byte-string build, the bytes themselves. */
export function fromUtf8(bytes: string): string {
  if (!UNICODE) return bytes;
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    let c = byteAt(bytes, i++);
    let n = c < 0xc0 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    c &= 0x7f >> n;
    while (n-- > 0) c = (c << 6) | (byteAt(bytes, i++) & 63);
    out += c < 0x10000 ? chr(c) : chr(0xd7c0 + (c >> 10)) + chr(0xdc00 + (c & 0x3ff));
  }
  return out;
}

/** The head of a data item: major type and argument, shortest form. */
export function cborHead(major: number, n: number): string {
  const bytes = n < 24 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : 4;
  // Additional information 24, 25, 26 for 1, 2, 4 argument bytes.
  let s = chr((major << 5) | (bytes ? 24 + (bytes >> 1) : n));
  for (let i = bytes; i-- > 0; ) s += chr((n >>> (8 * i)) & 0xff);
  return s;
}

/** A number: an integer in [-2^32, 2^32) as an integer, anything else as float64, as cbor-x does. */
export function cborNumber(v: number): string {
  if (v >>> 0 === v) return cborHead(0, v);
  if (v < 0 && v >= -TWO_32 && Math.floor(v) === v) return cborHead(1, -1 - v);
  scratch.setFloat64(0, v);
  let s = "\xfb";
  for (let i = 0; i < 8; i++) s += chr(scratch.getUint8(i));
  return s;
}

/** A text string: its head counts UTF-8 bytes. */
export function cborText(s: string): string {
  const bytes = toUtf8(s);
  return cborHead(3, bytes.length) + bytes;
}

/** Encode a value as a binary string. `undefined` map values are left out. */
export function cborEncode(v: CborValue): string {
  if (v === null) return "\xf6";
  if (v === true) return "\xf5";
  if (v === false) return "\xf4";
  if (typeof v === "number") return cborNumber(v);
  if (typeof v === "string") return cborText(v);
  let s = "";
  let n = 0;
  if (Array.isArray(v)) {
    for (; n < v.length; n++) s += cborEncode(v[n] as CborValue);
    return cborHead(4, n) + s;
  }
  for (const k in v) {
    const item = v[k];
    if (item === undefined) continue;
    s += cborText(k) + cborEncode(item);
    n++;
  }
  return cborHead(5, n) + s;
}

// The decoder's cursor: decoding is synchronous, so one module-level cursor serves every call.
let src = "";
let at = 0;

function fail(what: string): never {
  throw new Error("CBOR: " + what);
}

function nextByte(): number {
  if (at >= src.length) fail("short");
  return byteAt(src, at++);
}

function uintOf(bytes: number): number {
  let n = 0;
  for (let i = 0; i < bytes; i++) n = n * 256 + nextByte();
  return n;
}

/** The argument of a head; -1 for indefinite length. 8-byte values are read as hi × 2^32 + lo. */
function argumentOf(info: number): number {
  if (info < 24) return info;
  if (info < 27) return uintOf(1 << (info - 24));
  if (info === 27) return uintOf(4) * TWO_32 + uintOf(4);
  if (info === 31) return -1;
  return fail("arg");
}

function floatOf(bytes: number): number {
  if (bytes === 2) {
    const h = uintOf(2);
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    if (exp === 31) return frac ? NaN : sign * Infinity;
    // biome-ignore lint/style/useExponentiationOperator: Espruino has no `**`
    return exp ? sign * (1024 + frac) * Math.pow(2, exp - 25) : sign * frac * Math.pow(2, -24);
  }
  for (let i = 0; i < bytes; i++) scratch.setUint8(i, nextByte());
  return bytes === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
}

/** Consume a break byte (0xff) if it is next. */
function isBreak(): boolean {
  if (byteAt(src, at) !== 0xff) return false;
  at++;
  return true;
}

function textOf(n: number): string {
  let s = "";
  if (n < 0) {
    while (!isBreak()) {
      const head = nextByte();
      if (head >> 5 !== 3) fail("chunk");
      s += textOf(argumentOf(head & 0x1f));
    }
    return s;
  }
  if (at + n > src.length) fail("short");
  s = src.substr(at, n);
  at += n;
  return s;
}

function itemOf(): CborValue {
  const head = nextByte();
  const major = head >> 5;
  const info = head & 0x1f;
  if (major === 7) {
    if (info === 20 || info === 21) return info === 21;
    if (info === 22 || info === 23) return null;
    if (info > 24 && info < 28) return floatOf(1 << (info - 24));
    return fail("simple");
  }
  const n = argumentOf(info);
  if (major === 0) return n;
  if (major === 1) return -1 - n;
  if (major === 3) return fromUtf8(textOf(n));
  if (major === 4) {
    const a: CborValue[] = [];
    while (n < 0 ? !isBreak() : a.length < n) a.push(itemOf());
    return a;
  }
  if (major === 5) {
    const o: { [key: string]: CborValue } = {};
    for (let i = 0; n < 0 ? !isBreak() : i < n; i++) {
      const k = itemOf();
      if (typeof k !== "string") fail("key");
      o[k as string] = itemOf();
    }
    return o;
  }
  return fail("type");
}

/** Decode one data item from a binary string; throws on anything outside the subset or trailing bytes. */
export function cborDecode(s: string): CborValue {
  src = s;
  at = 0;
  const v = itemOf();
  if (at !== s.length) fail("trailing");
  src = "";
  return v;
}

/** Decode a CBOR sequence (RFC 8742: items back to back, the HTTP transport's bodies), calling `each` per item in order. */
export function cborEach(s: string, each: (v: CborValue) => void): void {
  for (let from = 0; from < s.length; ) {
    src = s;
    at = from;
    const v = itemOf();
    from = at;
    each(v);
  }
  src = "";
}
