import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type BatchFrame,
  closeCodeOf,
  codeOfClose,
  DEFAULT_LIMITS,
  decodeFrame,
  encodeFrame,
  PROTOCOL_ERRORS,
  ProtocolError,
  type ProtocolErrorCode,
  validateBatch,
  validateHello,
} from "../src/protocol/index.js";

const docs = readFileSync(fileURLToPath(new URL("../../../docs/protocol.md", import.meta.url)), "utf8");
const codes = Object.keys(PROTOCOL_ERRORS) as ProtocolErrorCode[];

function rowOf(code: string): string | undefined {
  return docs.split("\n").find((line) => line.startsWith(`| \`${code}\``));
}

describe("the error catalogue and docs/protocol.md agree", () => {
  for (const code of codes) {
    test(`${code} is documented with how it is delivered`, () => {
      const row = rowOf(code);
      assert.ok(row, `docs/protocol.md §7 has no row for ${code}`);
      const delivery = PROTOCOL_ERRORS[code].delivery;
      if (delivery.kind === "close") assert.match(row, new RegExp(`close ${delivery.closeCode}\\b`));
      if (delivery.kind === "upgrade") assert.match(row, new RegExp(`HTTP ${delivery.httpStatus}\\b`));
      if (delivery.kind === "frame") assert.match(row, /`error` frame/);
      if (delivery.kind === "result") assert.match(row, /`cmd_result`/);
      assert.match(row, PROTOCOL_ERRORS[code].retryable ? /\| yes \|/ : /\| no \|/);
    });
  }

  test("no documented code is missing from the catalogue", () => {
    const documented = [...docs.matchAll(/^\| `(TH_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    for (const code of documented) assert.ok(code && code in PROTOCOL_ERRORS, `${code} is documented but not in the catalogue`);
  });

  test("close codes are unique and map back to their code", () => {
    for (const code of codes) {
      const close = closeCodeOf(code);
      if (close !== undefined) assert.equal(codeOfClose(close), code);
    }
  });

  test("every default limit appears in the limits table", () => {
    for (const [name, value] of Object.entries(DEFAULT_LIMITS)) {
      const row = docs.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      assert.ok(row, `docs/protocol.md §6 has no row for ${name}`);
      assert.ok(row.replace(/[ ,]/g, "").includes(String(value)), `${name}: the docs do not show the default ${value}`);
    }
  });
});

describe("CBOR codec", () => {
  test("frames round-trip with their types", () => {
    const frame: BatchFrame = { t: "batch", seq: 7, r: [{ ts: 1_764_000_000_000.5, m: { temp: 21.5, n: -3, on: true, s: "é" } }] };
    assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
  });

  test("the encoder writes plain CBOR maps (no record extension)", () => {
    assert.equal(Buffer.from(encodeFrame({ t: "ack", seq: 1 })).toString("hex"), "a26174636163 6b6373657101".replace(/ /g, ""));
  });

  test("the documented examples decode to the documented frames", () => {
    const hex = "a361746562617463686373657101617281a2627473fb4279ab697e800000616da26474656d70fb4035800000000000626f6ef5";
    assert.deepEqual(decodeFrame(Buffer.from(hex, "hex")), { t: "batch", seq: 1, r: [{ ts: 1764000000000, m: { temp: 21.5, on: true } }] });
  });

  test("8-byte integers and float32 timestamps are accepted", () => {
    // {"t":"ack","seq": uint64 5}
    assert.deepEqual(decodeFrame(Buffer.from("a261746361636b63736571" + "1b0000000000000005", "hex")), { t: "ack", seq: 5 });
  });

  for (const [what, bytes] of [
    ["not CBOR", "ff"],
    ["an array", "83010203"],
    ["a map without t", "a1617801"],
    ["a map whose t is a number", "a1617401"],
    ["truncated", "a361746562617463"],
  ] as const) {
    test(`${what} is TH_FRAME_MALFORMED`, () => {
      assert.throws(
        () => decodeFrame(Buffer.from(bytes, "hex")),
        (e: unknown) => e instanceof ProtocolError && e.code === "TH_FRAME_MALFORMED",
      );
    });
  }
});

describe("batch validation", () => {
  const valid = { t: "batch", seq: 1, r: [{ ts: 1, m: { a: 1 } }] };
  const invalid = (raw: Record<string, unknown>, code: ProtocolErrorCode = "TH_BATCH_INVALID") =>
    assert.throws(
      () => validateBatch(raw, DEFAULT_LIMITS),
      (e: unknown) => e instanceof ProtocolError && e.code === code,
    );

  test("a valid batch passes", () => {
    assert.deepEqual(validateBatch(valid, DEFAULT_LIMITS), valid);
  });
  test("seq must be a positive integer (else the batch cannot even be answered)", () => {
    invalid({ ...valid, seq: 0 }, "TH_FRAME_MALFORMED");
    invalid({ ...valid, seq: 1.5 }, "TH_FRAME_MALFORMED");
    invalid({ ...valid, seq: "1" }, "TH_FRAME_MALFORMED");
  });
  test("readings: non-empty, within maxReadingsPerBatch", () => {
    invalid({ ...valid, r: [] });
    invalid({ ...valid, r: Array.from({ length: DEFAULT_LIMITS.maxReadingsPerBatch + 1 }, () => ({ m: { a: 1 } })) });
  });
  test("metrics: names, counts, value types and lengths", () => {
    invalid({ ...valid, r: [{ m: {} }] });
    invalid({ ...valid, r: [{ m: { "has space": 1 } }] });
    invalid({ ...valid, r: [{ m: { ["n".repeat(DEFAULT_LIMITS.maxNameLength + 1)]: 1 } }] });
    invalid({
      ...valid,
      r: [{ m: Object.fromEntries(Array.from({ length: DEFAULT_LIMITS.maxMetricsPerReading + 1 }, (_, i) => [`m${i}`, i])) }],
    });
    invalid({ ...valid, r: [{ m: { a: Number.NaN } }] });
    invalid({ ...valid, r: [{ m: { a: null } }] });
    invalid({ ...valid, r: [{ m: { a: [1] } }] });
    invalid({ ...valid, r: [{ m: { a: "x".repeat(DEFAULT_LIMITS.maxStringLength + 1) } }] });
    invalid({ ...valid, r: [{ ts: -1, m: { a: 1 } }] });
  });
  test("a rejection names the batch's seq", () => {
    try {
      validateBatch({ ...valid, seq: 9, r: [] }, DEFAULT_LIMITS);
      assert.fail("accepted");
    } catch (error) {
      assert.equal((error as ProtocolError).seq, 9);
    }
  });
  test("hello: v must be an integer and attrs flat", () => {
    assert.throws(
      () => validateHello({ t: "hello", v: "1" }),
      (e: unknown) => e instanceof ProtocolError && e.code === "TH_PROTOCOL_VIOLATION",
    );
    assert.throws(
      () => validateHello({ t: "hello", v: 1, attrs: { a: { b: 1 } } }),
      (e: unknown) => e instanceof ProtocolError,
    );
    assert.equal(validateHello({ t: "hello", v: 1, fw: "x" }).fw, "x");
  });
});
