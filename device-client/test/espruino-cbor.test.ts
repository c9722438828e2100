import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeBatch } from "../src/espruino/batch-encoder.js";
import { type CborValue, cborDecode, cborEncode } from "../src/espruino/cbor.js";
import { ReadingRing } from "../src/espruino/reading-ring.js";
import type { Frame } from "../src/protocol/frames.js";
import { decodeFrame, encodeFrame } from "../src/protocol/index.js";

const bytes = (binary: string): Buffer => Buffer.from(binary, "latin1");
const binary = (u8: Uint8Array): string => Buffer.from(u8).toString("latin1");
const lim = { frame: 65536, batch: 500, metrics: 64, name: 64, str: 256, inflight: 16, rate: 100, burst: 200 };

/** One of every frame of protocol v1, with the value shapes the hub and devices send. */
const corpus: Frame[] = [
  { t: "hello", v: 1, fw: "1.0.0", model: "esp32", time: 1764000000000 },
  {
    t: "hello",
    v: 1,
    fw: "0.1.0",
    model: "esp32",
    caps: ["batch"],
    time: 123456.5,
    attrs: { heap: 12345, ip: "10.0.0.7", ok: true },
    cfg: 3,
  },
  { t: "welcome", v: 1, time: 1764000000123, echo: 1764000000000, seq: 0, hb: 15000, lim },
  { t: "welcome", v: 1, time: 1764000000123.25, seq: 4294967295, hb: 15000, lim: { ...lim, frame: 1048576 } },
  { t: "batch", seq: 1, r: [{ ts: 1764000000000, m: { temp: 21.5, on: true } }] },
  {
    t: "batch",
    seq: 70000,
    rs: true,
    r: [
      {
        ts: 1764000000001,
        m: {
          temp: -40,
          rssi: -67,
          heap: 65535,
          big: 4294967296,
          neg: -2147483649,
          low: -4294967296,
          lower: -4294967297,
          s: "x".repeat(300),
        },
      },
      { m: { v: 0, w: -1, x: -24, y: -25, z: -256, zz: -257, a: -65536, b: -65537, c: 1e-7, d: 1.5e300, e: false } },
    ],
  },
  { t: "ack", seq: 1 },
  { t: "ack", seq: 16777216 },
  { t: "error", code: "TH_RATE_LIMITED", msg: "slow down", seq: 7, retry: 250 },
  { t: "error", code: "TH_BATCH_INVALID", msg: "too many metrics", seq: 8 },
  { t: "cmd", id: "c-01HZX", name: "reboot", args: {} },
  { t: "cmd", id: "c-2", name: "set", args: { interval: 30, list: [1, "two", null, false, { deep: [2.5] }], nothing: null } },
  { t: "cmd_ack", id: "c-2" },
  { t: "cmd_result", id: "c-2", ok: true, res: { applied: 30, at: 1764000000000 } },
  { t: "cmd_result", id: "c-3", ok: false, err: { code: "TH_CMD_UNKNOWN", msg: "no handler for x" } },
  { t: "cmd_done", id: "c-2" },
  { t: "config", v: 4, d: { interval: 10, name: "kitchen", alarms: [{ above: 30.5 }], enabled: true } },
  { t: "config_ack", v: 4, ok: true },
  { t: "config_ack", v: 5, ok: false, err: "interval must be a number" },
  { t: "report", attrs: { heap: 9000, rssi: -70, ip: "192.168.1.20", charging: false } },
];

describe("the Espruino CBOR subset against cbor-x (the protocol codec)", () => {
  for (const frame of corpus) {
    test(`${frame.t}: encodes byte for byte like cbor-x, and each decodes the other`, () => {
      const ours = cborEncode(frame as unknown as CborValue);
      const theirs = encodeFrame(frame);
      assert.equal(bytes(ours).toString("hex"), Buffer.from(theirs).toString("hex"));
      assert.deepEqual(cborDecode(binary(theirs)), frame);
      assert.deepEqual(decodeFrame(bytes(ours)), frame);
    });
  }

  test("the protocol's own examples (docs/protocol.md §2, §3.1, §3.3)", () => {
    const hex = (v: CborValue) => bytes(cborEncode(v)).toString("hex");
    assert.equal(hex({ t: "ack", seq: 1 }), "a261746361636b6373657101");
    assert.equal(
      hex({ t: "hello", v: 1, fw: "1.0.0", model: "esp32", time: 1764000000000 }),
      "a561746568656c6c6f61760162667765312e302e30656d6f64656c6565737033326474696d65fb4279ab697e800000",
    );
  });

  test("decodes what a decoder must accept (§2): 8-byte integers, float16/32, indefinite lengths", () => {
    // 8-byte unsigned (a timestamp) and negative: hi × 2^32 + lo
    assert.equal(cborDecode(binary(Buffer.from("1b0000019ab3c2a400", "hex"))), 0x19ab3c2a400);
    assert.equal(cborDecode(binary(Buffer.from("3b0000019ab3c2a3ff", "hex"))), -0x19ab3c2a400);
    assert.equal(cborDecode(binary(Buffer.from("f93e00", "hex"))), 1.5);
    assert.equal(cborDecode(binary(Buffer.from("f9c400", "hex"))), -4);
    assert.equal(cborDecode(binary(Buffer.from("f90001", "hex"))), 2 ** -24);
    assert.equal(cborDecode(binary(Buffer.from("f97c00", "hex"))), Infinity);
    assert.equal(cborDecode(binary(Buffer.from("fa47c35000", "hex"))), 100000);
    assert.deepEqual(cborDecode(binary(Buffer.from("bf61749f0102ff617a7f62616262636cffff", "hex"))), { t: [1, 2], z: "abcl" });
  });

  test("refuses what is outside the subset: byte strings, tags, truncation, trailing bytes, non-text keys", () => {
    for (const hex of ["4101", "c11a514b67b0", "a2617401", "0101", "a10102", "fb40"]) {
      assert.throws(() => cborDecode(binary(Buffer.from(hex, "hex"))), /CBOR/, hex);
    }
  });

  test("a batch encoded straight from the packed ring equals cbor-x's encoding of the same frame", () => {
    const ring = new ReadingRing(["temp", "rssi", "heap"], 8);
    ring.add(1764000000000.75, [21.5, -67, 120000]);
    ring.add(1764000001000, [NaN, -70, 119000]);
    ring.assignBatch(9, 2);
    const frame: Frame = {
      t: "batch",
      seq: 9,
      r: [
        { ts: 1764000000100, m: { temp: 21.5, rssi: -67, heap: 120000 } },
        { ts: 1764000001100, m: { rssi: -70, heap: 119000 } },
      ],
    };
    const ours = encodeBatch(ring, 9, 100, false);
    assert.equal(bytes(ours).toString("hex"), Buffer.from(encodeFrame(frame)).toString("hex"));
    assert.equal(bytes(encodeBatch(ring, 9, 100, true)).toString("hex"), Buffer.from(encodeFrame({ ...frame, rs: true })).toString("hex"));
  });

  test("readings taken within one millisecond get timestamps 1 ms apart, so none overwrites another", () => {
    const ring = new ReadingRing(["level"], 8);
    ring.add(1764000000000.25, [1]);
    ring.add(1764000000000.5, [2]);
    ring.add(1764000000000.75, [3]);
    ring.add(1764000000010, [4]);
    ring.assignBatch(1, 4);
    const sent = decodeFrame(bytes(encodeBatch(ring, 1, 0, false))) as unknown as { r: { ts: number }[] };
    assert.deepEqual(
      sent.r.map((r) => r.ts),
      [1764000000000, 1764000000001, 1764000000002, 1764000000010],
    );
  });
});
