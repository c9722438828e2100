import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_LIMITS,
  decodeDeviceFrame,
  decodeFrame,
  encodeFrame,
  isLongerThan,
  ProtocolError,
  scanFrame,
  validateBatch,
} from "../src/protocol/index.js";

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ""), "hex");
const malformed = (bytes: Buffer): void => {
  assert.throws(
    () => decodeDeviceFrame(bytes, DEFAULT_LIMITS),
    (e: unknown) => e instanceof ProtocolError && e.code === "TH_FRAME_MALFORMED",
  );
  assert.throws(
    () => decodeFrame(bytes),
    (e: unknown) => e instanceof ProtocolError && e.code === "TH_FRAME_MALFORMED",
  );
};

describe("CBOR well-formedness", () => {
  for (const [what, bytes] of [
    ["truncated head", "a1 6174 19 00"],
    ["truncated text", "a1 6174 65 6162"],
    ["reserved additional information (28)", "a1 6174 1c"],
    ["a break outside an indefinite container", "a1 6174 ff"],
    ["an indefinite map ending after a key", "bf 6174 ff"],
    ["an indefinite integer", "a1 6174 1f"],
    ["a text chunk of another type", "a1 6174 7f 41 61 ff"],
    ["an indefinite chunk inside an indefinite text", "a1 6174 7f 7f 6161 ff ff"],
    ["a one-byte simple value below 32", "a1 6174 f8 10"],
    ["a declared length of 2^40 items", "a1 6174 9b 0000010000000000"],
    ["bytes after the item", "a1 6174 6161 00"],
    ["an empty message", ""],
  ] as const) {
    test(`${what} is malformed`, () => malformed(hex(bytes)));
  }

  test("indefinite-length text of any total length decodes as its joined chunks, as key and value, at any depth", () => {
    for (const length of [0, 1, 23, 24, 255, 256, 65_535, 65_536]) {
      const value = "é".repeat(Math.floor(length / 2)) + "a".repeat(length % 2);
      const bytes = Buffer.from(value);
      const half = Math.floor(bytes.length / 2) & ~1; // é is two bytes: chunks stay whole code points
      const chunk = (b: Buffer): Buffer => Buffer.concat([Buffer.from(encodeFrame(b.toString() as never)).subarray(0, -b.length), b]);
      const indefinite = Buffer.concat([hex("7f"), chunk(bytes.subarray(0, half)), chunk(bytes.subarray(half)), hex("ff")]);
      const frame = Buffer.concat([hex("a2 6174 7f 6161 ff 6178 9f a1"), indefinite, indefinite, hex("ff")]);
      assert.deepEqual(decodeDeviceFrame(frame, DEFAULT_LIMITS), { t: "a", x: [{ [value]: value }] }, `length ${bytes.length}`);
    }
  });
});

describe("decodeFrame (any peer) and decodeDeviceFrame (the hub's rules)", () => {
  test("the device-side decoder takes null anywhere; the hub's only inside cmd_result.res", () => {
    const cmd = { t: "cmd", id: "1", name: "n", args: { a: null } };
    assert.deepEqual(decodeFrame(encodeFrame(cmd as never)), cmd);
    assert.throws(() => decodeDeviceFrame(encodeFrame(cmd as never), DEFAULT_LIMITS), /null outside cmd_result.res/);
    const result = { res: [null], t: "cmd_result", id: "1", ok: true };
    assert.deepEqual(decodeDeviceFrame(encodeFrame(result as never), DEFAULT_LIMITS), result, "res before t");
    assert.throws(
      () => decodeDeviceFrame(encodeFrame({ t: "cmd_result", id: "1", ok: true, res: 1, extra: null } as never), DEFAULT_LIMITS),
      /null outside/,
    );
  });

  test("a batch that breaks a wire rule keeps t, seq and rs, and validateBatch refuses it with that seq", () => {
    const bytes = hex("a4 6174 656261746368 63736571 0a 6272 73 f5 6172 81 a1 616d a1 6178 c1 01");
    const frame = decodeDeviceFrame(bytes, DEFAULT_LIMITS);
    assert.deepEqual([frame.t, frame.seq, frame.rs, Object.keys(frame).length], ["batch", 10, true, 3]);
    assert.throws(
      () => validateBatch(frame, DEFAULT_LIMITS),
      (e: unknown) => e instanceof ProtocolError && e.code === "TH_BATCH_INVALID" && e.seq === 10 && /tag/.test(e.message),
    );
  });

  test("a defect with an indefinite-length key still finds the batch's seq", () => {
    const bytes = hex("a3 6174 656261746368 7f 62 7365 61 71 ff 07 6172 81 a1 616d a1 6178 f7");
    const frame = decodeDeviceFrame(bytes, DEFAULT_LIMITS);
    assert.deepEqual([frame.t, frame.seq, frame.rs], ["batch", 7, undefined]);
  });

  test("the nesting limit is the one given", () => {
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let i = 1; i < depth; i++) value = [value];
      return encodeFrame({ t: "x", v: value } as never); // `depth` levels with the frame's map
    };
    assert.equal(decodeDeviceFrame(nested(5), { maxNestingDepth: 5 }).t, "x");
    assert.throws(() => decodeDeviceFrame(nested(6), { maxNestingDepth: 5 }), /nesting deeper than maxNestingDepth \(5\)/);
    assert.equal(scanFrame(nested(200)).defect, undefined, "without device rules there is no limit");
    const nestedMaps = (depth: number) => {
      let value: unknown = 1;
      for (let i = 1; i < depth; i++) value = { k: value };
      return encodeFrame({ t: "x", v: value } as never);
    };
    assert.equal(decodeDeviceFrame(nestedMaps(5), { maxNestingDepth: 5 }).t, "x");
    assert.throws(() => decodeDeviceFrame(nestedMaps(6), { maxNestingDepth: 5 }), /nesting deeper than maxNestingDepth \(5\)/);
  });

  test("what the scanner accepts, cbor-x decodes the same way", () => {
    const frames = [
      { t: "batch", seq: 3, r: [{ ts: 1_764_000_000_000, m: { a: 1.5, b: -7, c: true, d: "ü", e: 2 ** 40, f: -(2 ** 40) } }] },
      { t: "hello", v: 1, caps: ["batch"], attrs: { heap: 1234 }, time: 1_764_000_000_000.5 },
      { t: "cmd_result", id: "x", ok: true, res: { nested: [[1, [2, { deep: null }]]] } },
    ];
    for (const frame of frames) assert.deepEqual(decodeDeviceFrame(encodeFrame(frame as never), DEFAULT_LIMITS), frame);
  });
});

describe("integers out", () => {
  test("seq, v and cfg from 2^32 on are 8-byte unsigned integers; below, the shortest form", () => {
    assert.equal(Buffer.from(encodeFrame({ t: "ack", seq: 2 ** 32 })).toString("hex"), "a261746361636b637365711b0000000100000000");
    assert.equal(Buffer.from(encodeFrame({ t: "ack", seq: 2 ** 32 - 1 })).toString("hex"), "a261746361636b637365711affffffff");
    assert.equal(
      Buffer.from(encodeFrame({ t: "config", v: 2 ** 53 - 1, d: {} })).toString("hex"),
      "a3617466636f6e66696761761b001fffffffffffff6164a0",
    );
    assert.deepEqual(decodeFrame(encodeFrame({ t: "ack", seq: 2 ** 53 - 1 })), { t: "ack", seq: 2 ** 53 - 1 });
    const welcome = { t: "welcome", v: 1, time: 1.5, seq: 0, hb: 2 ** 33, lim: { frame: 1, bps: 2 ** 40 } };
    const bytes = Buffer.from(encodeFrame(welcome as never)).toString("hex");
    assert.ok(bytes.includes(`6268621b${(2 ** 33).toString(16).padStart(16, "0")}`), "hb as 0x1b");
    assert.ok(bytes.includes(`636270731b${(2 ** 40).toString(16).padStart(16, "0")}`), "lim.bps as 0x1b");
    assert.deepEqual(decodeFrame(encodeFrame(welcome as never)), welcome);
  });
});

describe("string limits count UTF-8 bytes", () => {
  test("isLongerThan", () => {
    assert.equal(isLongerThan("é".repeat(128), 256), false);
    assert.equal(isLongerThan("é".repeat(129), 256), true);
    assert.equal(isLongerThan("😀".repeat(64), 256), false);
    assert.equal(isLongerThan("😀".repeat(65), 256), true);
    assert.equal(isLongerThan("a".repeat(256), 256), false);
    assert.equal(isLongerThan("a".repeat(257), 256), true);
    assert.equal(isLongerThan("€".repeat(85), 256), false, "3 bytes each: 255");
    assert.equal(isLongerThan("€".repeat(86), 256), true);
  });
});
