import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CborValue, cborDecode, cborEncode } from "../src/espruino/cbor.js";
import { decodeFrame, encodeFrame, type Frame } from "../src/protocol/index.js";
import { deviceFrames, hubFrames, type Json } from "./support/corpus.js";

/*
 * The corpus drives both device codecs: the Node codec (protocol/codec.ts) and the Espruino
 * one (espruino/cbor.ts, on binary strings) decode every hub → device frame of the corpus to
 * the same value, and encode the device frames to the corpus's bytes where the corpus has them
 * from the hub's own encoder.
 */

const binary = (hex: string): string => Buffer.from(hex, "hex").toString("latin1");
const hexOfBinary = (s: string): string => Buffer.from(s, "latin1").toString("hex");

/** A top-level `seq`, `v` or `cfg` from 2^32 on: the Node encoder writes an 8-byte integer, the Espruino one a float64 (it never sends one). */
const hasWideInteger = (value: Json): boolean =>
  value !== null &&
  typeof value === "object" &&
  !Array.isArray(value) &&
  ["seq", "v", "cfg"].some((key) => typeof value[key] === "number" && (value[key] as number) >= 2 ** 32);

describe("the Node and Espruino codecs over the conformance corpus", () => {
  test("the corpus has hub frames and decoded device frames to check", () => {
    assert.ok(hubFrames().length > 10, `${hubFrames().length} hub frames`);
    assert.ok(deviceFrames().filter((f) => f.value !== undefined).length > 100, "device frames with their decoded value");
  });

  for (const frame of hubFrames()) {
    test(`hub frame ${frame.where}: both codecs decode it to the same value`, () => {
      assert.deepStrictEqual(decodeFrame(Buffer.from(frame.hex, "hex")), frame.value, "Node codec");
      assert.deepStrictEqual(cborDecode(binary(frame.hex)), frame.value, "Espruino codec");
      if (frame.canonical)
        assert.equal(Buffer.from(encodeFrame(frame.value as unknown as Frame)).toString("hex"), frame.hex, "the hub's encoding");
    });
  }

  for (const frame of deviceFrames().filter((f) => f.value !== undefined)) {
    test(`device frame ${frame.where}: decoded and encoded by both codecs`, () => {
      const value = frame.value as Json;
      const isFrame = value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.t === "string";
      if (isFrame) assert.deepStrictEqual(decodeFrame(Buffer.from(frame.hex, "hex")), value, "Node codec decodes");
      else assert.throws(() => decodeFrame(Buffer.from(frame.hex, "hex")), { code: "TH_FRAME_MALFORMED" }, "not a frame");
      assert.deepStrictEqual(cborDecode(binary(frame.hex)), value, "Espruino codec decodes");
      if (!frame.canonical) return;
      if (isFrame) assert.equal(Buffer.from(encodeFrame(value as unknown as Frame)).toString("hex"), frame.hex, "Node codec encodes");
      if (!hasWideInteger(value)) assert.equal(hexOfBinary(cborEncode(value as CborValue)), frame.hex, "Espruino codec encodes");
    });
  }
});
