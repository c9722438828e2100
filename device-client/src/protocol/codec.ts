import { Decoder, Encoder, type Options } from "cbor-x";

type DecoderOptions = Options & { int64AsNumber?: boolean };

import { ProtocolError } from "./errors.js";
import type { Frame } from "./frames.js";

/*
 * Plain CBOR only: cbor-x's record extension (tag 105) and typed-array tags would break
 * devices with a small hand-written decoder, so both are off. 8-byte integers (a device's
 * millisecond timestamp) decode as numbers, not BigInt.
 */
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });
// `int64AsNumber` is honoured by cbor-x but missing from its type definitions.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as DecoderOptions);

/** Encode a frame as one CBOR map. */
export function encodeFrame(frame: Frame): Uint8Array {
  return encoder.encode(frame);
}

/**
 * Decode one binary message into a map with a string `t`. Anything else throws a
 * `ProtocolError` with code `TH_FRAME_MALFORMED`; the fields of the type are checked by
 * the receiver (see `validate.ts`).
 */
export function decodeFrame(bytes: Uint8Array): { t: string } & Record<string, unknown> {
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
  return value as { t: string } & Record<string, unknown>;
}
