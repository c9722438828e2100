import { Decoder, Encoder, type Options } from "cbor-x";

type DecoderOptions = Options & { int64AsNumber?: boolean };

import { ProtocolError } from "./errors.js";
import type { Frame } from "./frames.js";
import type { ProtocolLimits } from "./limits.js";
import { type DeviceWireRules, definiteCopy, MalformedCbor, scanFrame, scanItem, type WireScan } from "./wire-check.js";

/*
 * Plain CBOR only: cbor-x's record extension (tag 105) and typed-array tags would break
 * devices with a small hand-written decoder, so both are off. 8-byte integers (a device's
 * millisecond timestamp) decode as numbers, not BigInt.
 */
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });
// `int64AsNumber` is honoured by cbor-x but missing from its type definitions.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as DecoderOptions);

/** The largest sequence number (and configuration version): 2^53 − 1. */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** A usable batch sequence number: an integer (an integral float counts) from 1 to {@link MAX_SEQUENCE}. */
export function isSequence(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_SEQUENCE;
}

/**
 * Set on a batch whose bytes break a rule of docs/protocol.md §2 while its `seq` is usable:
 * the frame then holds only `t`, `seq` and `rs`, and `validateBatch` refuses it with
 * `TH_BATCH_INVALID` and this reason, so the device is told which batch to drop.
 */
export const WIRE_DEFECT: unique symbol = Symbol("wire defect");

/** A decoded frame: a map with a string `t`. */
export type DecodedFrame = { t: string } & Record<string, unknown>;

/** Top-level fields that are integers on the wire: from 2^32 on, cbor-x would write a number as a float64. */
const INTEGER_FIELDS = ["seq", "v", "cfg", "hb", "retry"] as const;

/**
 * Encode a frame as one CBOR map. The integer fields (`seq`, `v`, `cfg`, `hb`, `retry` and the
 * values of `welcome.lim`) are written as CBOR integers whatever their size: an 8-byte unsigned
 * integer from 2^32 on.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  const fields = frame as unknown as Record<string, unknown>;
  let wide = widenIntegers(fields, INTEGER_FIELDS);
  const lim = fields.lim as Record<string, unknown> | undefined;
  if (lim !== undefined) {
    const wideLim = widenIntegers(lim, Object.keys(lim));
    if (wideLim) wide = { ...(wide ?? fields), lim: wideLim };
  }
  return encoder.encode(wide ?? frame);
}

/** A copy of `fields` with its integers of 2^32 and more among `keys` as BigInt (cbor-x writes those as integers), or undefined if none is. */
function widenIntegers(fields: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> | undefined {
  let wide: Record<string, unknown> | undefined;
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === "number" && value > 0xffff_ffff && Number.isSafeInteger(value)) {
      wide ??= { ...fields };
      wide[key] = BigInt(value);
    }
  }
  return wide;
}

/**
 * Decode one binary message into a map with a string `t` (any CBOR a peer may send: the
 * device side's decoder). Anything else throws a `ProtocolError` with code
 * `TH_FRAME_MALFORMED`; the fields of the type are checked by the receiver (`validate.ts`).
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  return toFrame(decodable(bytes, undefined).bytes);
}

/**
 * Decode a frame from a device, enforcing docs/protocol.md §2 (see `wire-check.ts`). A frame
 * that breaks a rule closes with `TH_FRAME_MALFORMED`, except a batch whose `seq` is usable:
 * that comes back marked with {@link WIRE_DEFECT}, to be refused as `TH_BATCH_INVALID`.
 */
export function decodeDeviceFrame(bytes: Uint8Array, limits: Pick<ProtocolLimits, "maxNestingDepth">): DecodedFrame {
  const { bytes: definite, scan } = decodable(bytes, limits);
  const defect = scan.defect ?? (scan.firstNull >= 0 ? misplacedNull(definite, scan) : undefined);
  return defect === undefined ? toFrame(definite) : defectiveFrame(definite, defect);
}

/** Scan the bytes; the findings are of the bytes returned (a definite-length copy when needed). */
function decodable(bytes: Uint8Array, rules: DeviceWireRules | undefined): { bytes: Uint8Array; scan: WireScan } {
  try {
    const scan = scanFrame(bytes, rules);
    if (!scan.indefiniteText) return { bytes, scan };
    const definite = definiteCopy(bytes);
    // Offsets change with the copy: scan it again (rare: only frames with indefinite text).
    return { bytes: definite, scan: scanFrame(definite, rules) };
  } catch (error) {
    if (error instanceof MalformedCbor) throw new ProtocolError("TH_FRAME_MALFORMED", `not valid CBOR: ${error.message}`);
    throw error;
  }
}

function toFrame(bytes: Uint8Array): DecodedFrame {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (error) {
    throw new ProtocolError("TH_FRAME_MALFORMED", `not valid CBOR: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError("TH_FRAME_MALFORMED", "a frame must be a CBOR map");
  }
  const t = (value as Record<string, unknown>).t;
  if (typeof t !== "string") throw new ProtocolError("TH_FRAME_MALFORMED", "a frame needs a string field `t`");
  return value as DecodedFrame;
}

/** `null` is allowed only inside `cmd_result.res`; the reason when it is elsewhere. */
function misplacedNull(bytes: Uint8Array, scan: WireScan): string | undefined {
  const { firstNull, lastNull } = scan;
  const fields = topLevelFields(bytes);
  const res = fields.get("res");
  if (
    fields.get("t") !== undefined &&
    decodeText(bytes, fields.get("t")) === "cmd_result" &&
    res &&
    firstNull >= res.start &&
    lastNull < res.end
  ) {
    return undefined;
  }
  return `null outside cmd_result.res (byte ${firstNull})`;
}

/** A frame that breaks a §2 rule: a batch with a usable `seq` is marked; anything else is malformed. */
function defectiveFrame(bytes: Uint8Array, defect: string): DecodedFrame {
  const fields = topLevelFields(bytes);
  const t = decodeText(bytes, fields.get("t"));
  const seq = decodeSequence(bytes, fields.get("seq"));
  if (t !== "batch" || seq === undefined) throw new ProtocolError("TH_FRAME_MALFORMED", defect);
  const rs = fields.get("rs");
  const frame: DecodedFrame & { [WIRE_DEFECT]?: string } = { t, seq, ...(rs && bytes[rs.start] === 0xf5 && { rs: true }) };
  frame[WIRE_DEFECT] = defect;
  return frame;
}

interface ItemRange {
  start: number;
  end: number;
}

/** Where the values of the top-level map's text keys are (the last of duplicate keys wins). Needs well-formed bytes. */
function topLevelFields(bytes: Uint8Array): Map<string, ItemRange> {
  const fields = new Map<string, ItemRange>();
  const head = bytes[0] as number;
  if (head >> 5 !== 5) return fields;
  const info = head & 31;
  let pos = info < 24 ? 1 : info === 31 ? 1 : 1 + (1 << (info - 24));
  let left = info < 24 ? info : info === 31 ? Number.POSITIVE_INFINITY : readCount(bytes, info);
  while (left-- > 0 && bytes[pos] !== 0xff) {
    const keyStart = pos;
    const valueStart = scanItem(bytes, keyStart, undefined);
    pos = scanItem(bytes, valueStart, undefined);
    const key = decodeText(bytes, { start: keyStart, end: valueStart });
    if (key !== undefined) fields.set(key, { start: valueStart, end: pos });
  }
  return fields;
}

function readCount(bytes: Uint8Array, info: number): number {
  let count = 0;
  for (let i = 1; i <= 1 << (info - 24); i++) count = count * 256 + (bytes[i] as number);
  return count;
}

/** The text at `range` if it is a definite text string. */
function decodeText(bytes: Uint8Array, range: ItemRange | undefined): string | undefined {
  if (!range || (bytes[range.start] as number) >> 5 !== 3 || ((bytes[range.start] as number) & 31) === 31) return undefined;
  const value: unknown = decoder.decode(bytes.subarray(range.start, range.end));
  return typeof value === "string" ? value : undefined;
}

/** The sequence number at `range` if it is one: an integer (or integral float) from 1 to {@link MAX_SEQUENCE}. */
function decodeSequence(bytes: Uint8Array, range: ItemRange | undefined): number | undefined {
  if (!range) return undefined;
  const head = bytes[range.start] as number;
  if (!(head >> 5 === 0 || head === 0xf9 || head === 0xfa || head === 0xfb)) return undefined;
  const value: unknown = decoder.decode(bytes.subarray(range.start, range.end));
  return isSequence(value) ? value : undefined;
}
