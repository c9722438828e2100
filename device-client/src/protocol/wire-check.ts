import { isUtf8 } from "node:buffer";

/**
 * A CBOR well-formedness scanner that runs before cbor-x. It walks the items of one frame
 * without building any value, and:
 *
 * - throws {@link MalformedCbor} for bytes that are not one well-formed CBOR item (truncated,
 *   reserved additional information, a misplaced break, bytes after the item);
 * - notes indefinite-length text strings, which cbor-x refuses, so that the caller can decode
 *   a definite-length copy ({@link definiteCopy});
 * - with {@link DeviceWireRules}, notes the first break of docs/protocol.md §2's rules for
 *   device frames (a well-formed item the hub does not take): a map key that is not text,
 *   text that is not UTF-8, a tag, a byte string, `undefined`, a simple value other than
 *   false/true/null, an integer beyond ±(2^53 − 1), or nesting deeper than `maxNestingDepth`.
 *   Where `null` occurs is noted too: only the caller knows where it is allowed.
 *
 * Iterative, with its stack in three typed arrays grown on demand: a frame nested 60,000 deep costs no
 * recursion. Not reentrant (one frame at a time, as a message handler runs).
 */

/** The §2 rules for frames a device sends, checked when given. */
export interface DeviceWireRules {
  /** Deepest nesting of arrays and maps; the frame's own map is depth 1. */
  maxNestingDepth: number;
}

/** What a scan found. Its fields are overwritten by the next scan. */
export interface WireScan {
  /** The frame holds an indefinite-length text string (decode {@link definiteCopy}). */
  indefiniteText: boolean;
  /** The first break of the device rules, or undefined. */
  defect: string | undefined;
  /** Offsets of the first and last `null` (0xf6) item, or -1 when there is none. */
  firstNull: number;
  lastNull: number;
}

/** The bytes are not one well-formed CBOR data item. */
export class MalformedCbor extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedCbor";
  }
}

/** Largest 8-byte argument's high word that keeps an integer within ±(2^53 − 1). */
const SAFE_HIGH_WORD = 0x1f_ffff;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const BREAK = 0xff;

const result: WireScan = { indefiniteText: false, defect: undefined, firstNull: -1, lastNull: -1 };
/** Items seen and items expected (−1: indefinite) of each open array or map (maps count keys and values), grown on demand. */
let seen = new Int32Array(64);
let expected = new Int32Array(64);
let isMap = new Uint8Array(64);

// The argument of the item head just read, and where the item's content starts.
let argument = 0;
let contentAt = 0;
/** The 8-byte argument's high word was above SAFE_HIGH_WORD (or exactly it with the low word all ones). */
let beyondSafe = false;
let beyondSafeNegative = false;

function malformed(message: string, at: number): never {
  throw new MalformedCbor(`${message} at byte ${at}`);
}

/** Read the head at `at`: sets `argument` and `contentAt`; −1 for an indefinite length. */
function readHead(bytes: Uint8Array, at: number, info: number): void {
  beyondSafe = false;
  beyondSafeNegative = false;
  if (info < 24) {
    argument = info;
    contentAt = at + 1;
    return;
  }
  switch (info) {
    case 24:
      if (at + 2 > bytes.length) malformed("truncated item head", at);
      argument = bytes[at + 1] as number;
      contentAt = at + 2;
      return;
    case 25:
      if (at + 3 > bytes.length) malformed("truncated item head", at);
      argument = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
      contentAt = at + 3;
      return;
    case 26:
      if (at + 5 > bytes.length) malformed("truncated item head", at);
      argument = word(bytes, at + 1);
      contentAt = at + 5;
      return;
    case 27: {
      if (at + 9 > bytes.length) malformed("truncated item head", at);
      const high = word(bytes, at + 1);
      const low = word(bytes, at + 5);
      beyondSafe = high > SAFE_HIGH_WORD;
      beyondSafeNegative = high > SAFE_HIGH_WORD || (high === SAFE_HIGH_WORD && low === 0xffff_ffff);
      argument = high * 0x1_0000_0000 + low;
      contentAt = at + 9;
      return;
    }
    case 31:
      argument = -1;
      contentAt = at + 1;
      return;
    default:
      malformed("reserved additional information", at);
  }
}

/** The big-endian unsigned 32-bit word at `at`. */
function word(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x100_0000 + (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}

function noteDefect(message: string, at: number): void {
  if (result.defect === undefined) result.defect = `${message} (byte ${at})`;
}

/** Text at [start, end): ASCII is checked here, anything else by the native UTF-8 check. */
function checkUtf8(bytes: Uint8Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    if ((bytes[i] as number) >= 0x80) {
      if (!isUtf8(bytes.subarray(start, end))) noteDefect("text is not valid UTF-8", start);
      return;
    }
  }
}

/** Skip the definite chunks of an indefinite-length string of `major` starting after its head; returns the offset after the break. */
function skipChunks(bytes: Uint8Array, at: number, major: number, rules: DeviceWireRules | undefined): number {
  let pos = at;
  for (;;) {
    if (pos >= bytes.length) malformed("truncated indefinite-length string", pos);
    const head = bytes[pos] as number;
    if (head === BREAK) return pos + 1;
    if (head >> 5 !== major) malformed("a chunk of an indefinite-length string has another type", pos);
    readHead(bytes, pos, head & 31);
    if (argument < 0) malformed("a chunk of an indefinite-length string is itself indefinite", pos);
    const end = contentAt + argument;
    if (end > bytes.length) malformed("truncated string", pos);
    if (rules && major === MAJOR_TEXT) checkUtf8(bytes, contentAt, end);
    pos = end;
  }
}

/** Room for `depth + 1` open arrays and maps. */
function stackFor(depth: number): void {
  if (depth < seen.length) return;
  const grown = (length: number) => Math.max(length * 2, depth + 1);
  const nextSeen = new Int32Array(grown(seen.length));
  nextSeen.set(seen);
  seen = nextSeen;
  const nextExpected = new Int32Array(grown(expected.length));
  nextExpected.set(expected);
  expected = nextExpected;
  const nextIsMap = new Uint8Array(grown(isMap.length));
  nextIsMap.set(isMap);
  isMap = nextIsMap;
}

/**
 * Scan the one CBOR item that starts at `start`; returns the offset after it. The
 * findings accumulate in the shared result (see {@link scanFrame}). The ingest path runs this
 * on every frame: the common items (floats, short text, small integers, short maps) take a
 * fast path, and all state is in locals.
 */
export function scanItem(bytes: Uint8Array, start: number, rules: DeviceWireRules | undefined): number {
  const length = bytes.length;
  const checking = rules !== undefined;
  const maxDepth = checking ? rules.maxNestingDepth : Number.POSITIVE_INFINITY;
  let pos = start;
  let depth = 0;
  for (;;) {
    if (pos >= length) malformed("truncated", pos);
    const head = bytes[pos] as number;
    const major = head >> 5;
    const info = head & 31;
    if (checking && depth > 0 && isMap[depth - 1] === 1 && ((seen[depth - 1] as number) & 1) === 0 && major !== MAJOR_TEXT) {
      if (head !== BREAK) noteDefect("a map key is not a text string", pos);
    }
    if (head === 0xfb) {
      pos += 9;
      if (pos > length) malformed("truncated float", pos - 9);
    } else if (major === MAJOR_TEXT && info < 24) {
      const end = pos + 1 + info;
      if (end > length) malformed("truncated string", pos);
      if (checking) {
        for (let i = pos + 1; i < end; i++) {
          if ((bytes[i] as number) >= 0x80) {
            checkUtf8(bytes, pos + 1, end);
            break;
          }
        }
      }
      pos = end;
    } else if (major === MAJOR_UNSIGNED && info < 24) {
      pos++;
    } else if (major === MAJOR_MAP && info < 24 && info > 0) {
      if (depth >= maxDepth) noteDefect(`nesting deeper than maxNestingDepth (${maxDepth})`, pos);
      if (info * 2 > length - pos - 1) malformed("truncated array or map", pos);
      stackFor(depth);
      seen[depth] = 0;
      expected[depth] = info * 2;
      isMap[depth] = 1;
      depth++;
      pos++;
      continue;
    } else if (head === BREAK) {
      const top = depth - 1;
      if (depth === 0 || expected[top] !== -1) malformed("break outside an indefinite-length array or map", pos);
      if (isMap[top] === 1 && ((seen[top] as number) & 1) === 1) malformed("indefinite-length map ends after a key", pos);
      depth--;
      pos++;
    } else {
      readHead(bytes, pos, info);
      switch (major) {
        case MAJOR_UNSIGNED:
        case MAJOR_NEGATIVE:
          if (argument < 0) malformed("an integer cannot have an indefinite length", pos);
          if (checking && (major === MAJOR_UNSIGNED ? beyondSafe : beyondSafeNegative)) noteDefect("an integer beyond ±(2^53 − 1)", pos);
          pos = contentAt;
          break;
        case MAJOR_BYTES:
        case MAJOR_TEXT:
          if (checking && major === MAJOR_BYTES) noteDefect("a byte string", pos);
          if (argument < 0) {
            if (major === MAJOR_TEXT) result.indefiniteText = true;
            pos = skipChunks(bytes, contentAt, major, rules);
          } else {
            const end = contentAt + argument;
            if (end > length) malformed("truncated string", pos);
            if (checking && major === MAJOR_TEXT) checkUtf8(bytes, contentAt, end);
            pos = end;
          }
          break;
        case MAJOR_ARRAY:
        case MAJOR_MAP: {
          const count = argument < 0 ? -1 : major === MAJOR_MAP ? argument * 2 : argument;
          // Every item takes at least a byte: a count the frame cannot hold is truncation, found before any work.
          if (count > length - contentAt) malformed("truncated array or map", pos);
          if (depth >= maxDepth) noteDefect(`nesting deeper than maxNestingDepth (${maxDepth})`, pos);
          pos = contentAt;
          if (count === 0) break;
          stackFor(depth);
          seen[depth] = 0;
          expected[depth] = count;
          isMap[depth] = major === MAJOR_MAP ? 1 : 0;
          depth++;
          continue;
        }
        case MAJOR_TAG:
          if (argument < 0) malformed("a tag cannot have an indefinite length", pos);
          if (checking) noteDefect("a tag", pos);
          // The tag's content is the next item; the two count as one.
          pos = contentAt;
          continue;
        default:
          pos = scanSimple(bytes, pos, info, rules);
      }
    }
    // An item ended: count it in its array or map, closing each that it completes.
    while (depth > 0) {
      const at = depth - 1;
      const count = (seen[at] as number) + 1;
      seen[at] = count;
      if (count !== expected[at]) break;
      depth--;
    }
    if (depth === 0) return pos;
  }
}

/** Major type 7 at `pos` (not a break): false, true, null, floats; returns the offset after it. */
function scanSimple(bytes: Uint8Array, pos: number, info: number, rules: DeviceWireRules | undefined): number {
  switch (info) {
    case 20:
    case 21:
      return pos + 1;
    case 22:
      if (result.firstNull < 0) result.firstNull = pos;
      result.lastNull = pos;
      return pos + 1;
    case 25:
    case 26:
    case 27: {
      const end = pos + 1 + (1 << (info - 24));
      if (end > bytes.length) malformed("truncated float", pos);
      return end;
    }
    case 24:
      if (argument < 32) malformed("a one-byte simple value below 32", pos);
      if (rules) noteDefect(`simple value ${argument}`, pos);
      return contentAt;
    default:
      if (rules) noteDefect(info === 23 ? "undefined" : `simple value ${info}`, pos);
      return contentAt;
  }
}

/**
 * Scan a whole frame: exactly one well-formed item and nothing after it. Throws
 * {@link MalformedCbor}; returns the (shared, reused) findings.
 */
export function scanFrame(bytes: Uint8Array, rules?: DeviceWireRules): WireScan {
  result.indefiniteText = false;
  result.defect = undefined;
  result.firstNull = -1;
  result.lastNull = -1;
  const end = scanItem(bytes, 0, rules);
  if (end !== bytes.length) malformed("bytes after the frame's item", end);
  return result;
}

/**
 * A copy of a well-formed frame with every indefinite-length text string made definite
 * (its chunks joined): what cbor-x can decode. Call only after {@link scanFrame}.
 */
export function definiteCopy(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let copiedTo = 0;
  for (let pos = 0; pos < bytes.length; ) {
    const head = bytes[pos] as number;
    const major = head >> 5;
    readHead(bytes, pos, head & 31);
    if (major === MAJOR_TEXT && argument < 0) {
      parts.push(bytes.subarray(copiedTo, pos));
      const chunks: Uint8Array[] = [];
      let length = 0;
      let at = contentAt;
      while (bytes[at] !== BREAK) {
        readHead(bytes, at, (bytes[at] as number) & 31);
        chunks.push(bytes.subarray(contentAt, contentAt + argument));
        length += argument;
        at = contentAt + argument;
      }
      parts.push(textHead(length), ...chunks);
      pos = at + 1;
      copiedTo = pos;
    } else if (major === MAJOR_BYTES || major === MAJOR_TEXT) {
      pos = argument < 0 ? skipChunks(bytes, contentAt, major, undefined) : contentAt + argument;
    } else if (major === 7 && (head & 31) >= 25 && (head & 31) <= 27) {
      pos += 1 + (1 << ((head & 31) - 24));
    } else {
      // Integers, tags, simple values, and the heads of arrays and maps (their items follow).
      pos = contentAt;
    }
  }
  parts.push(bytes.subarray(copiedTo));
  return Buffer.concat(parts);
}

/** The head of a definite text string of `length` bytes, in its shortest form. */
function textHead(length: number): Uint8Array {
  const base = MAJOR_TEXT << 5;
  if (length < 24) return Uint8Array.of(base | length);
  if (length < 0x100) return Uint8Array.of(base | 24, length);
  if (length < 0x1_0000) return Uint8Array.of(base | 25, length >> 8, length & 0xff);
  return Uint8Array.of(base | 26, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}
