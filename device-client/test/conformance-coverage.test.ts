import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS, decodeFrame, PROTOCOL_ERRORS } from "../src/protocol/index.js";
import { CORPUS_PATH, corpus, squash } from "./support/corpus.js";

/*
 * The conformance corpus covers the catalogue: every error code, every limit at and past it,
 * every frame type, and every example printed in docs/protocol.md (byte for byte).
 */

/** Limits of the hub's ingest (hub config `ingest.*`) that a device meets as refusals. */
const INGEST_LIMITS = ["ingest.maxMetricsPerDevice", "ingest.maxSeries", "ingest.maxFutureMs", "ingest.maxPastMs"];
const FRAME_TYPES = [
  "hello",
  "welcome",
  "batch",
  "ack",
  "error",
  "cmd",
  "cmd_ack",
  "cmd_result",
  "cmd_done",
  "config",
  "config_ack",
  "report",
];

const covered = new Set(corpus.cases.flatMap((one) => one.covers));
const docs = readFileSync(fileURLToPath(new URL("../../../docs/protocol.md", import.meta.url)), "utf8");

describe("the conformance corpus covers the protocol's catalogue", () => {
  test("corpus.json is what conformance/generate-corpus.mjs writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "corpus-"));
    try {
      const out = join(dir, "corpus.json");
      const script = fileURLToPath(new URL("../../conformance/generate-corpus.mjs", import.meta.url));
      const run = spawnSync(process.execPath, [script, out], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(readFileSync(CORPUS_PATH, "utf8"), readFileSync(out, "utf8"), "run node device-client/conformance/generate-corpus.mjs");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const code of Object.keys(PROTOCOL_ERRORS)) {
    test(`${code} has a case`, () => {
      const cases = corpus.cases.filter((one) => one.covers.includes(`code:${code}`));
      assert.ok(cases.length > 0, `no corpus case covers code:${code}`);
      for (const one of cases) assert.ok(JSON.stringify(one).includes(`"${code}"`), `${one.id} claims ${code} but never expects it`);
    });
  }

  for (const limit of [...Object.keys(DEFAULT_LIMITS), ...INGEST_LIMITS]) {
    test(`${limit} has a case at the limit and one past it`, () => {
      assert.ok(covered.has(`limit:${limit}:at`), `no case at ${limit}`);
      assert.ok(covered.has(`limit:${limit}:past`), `no case past ${limit}`);
    });
  }

  test("every frame type has a case", () => {
    assert.deepEqual(
      FRAME_TYPES.filter((t) => !covered.has(`frame:${t}`)),
      [],
    );
  });

  test("every case names a rule and says what it does; ids are unique", () => {
    const ids = new Set<string>();
    for (const one of corpus.cases) {
      assert.ok(!ids.has(one.id), `duplicate id ${one.id}`);
      ids.add(one.id);
      assert.match(one.rule, /\S/, one.id);
      assert.ok(one.steps.length > 0 || one.upgrade !== undefined, `${one.id} does nothing`);
    }
  });

  test("every hex example in docs/protocol.md is in the corpus and decodes to what the page says", () => {
    const inCases = new Set(
      corpus.cases.flatMap((one) =>
        one.steps.flatMap((step) => [step.send, step.expect?.hex].filter((h) => h !== undefined).map((h) => squash(h as string))),
      ),
    );
    // "`{json}` is `hex`" and "`{json}` =\n`hex`"
    const examples = [...docs.matchAll(/`(\{[^`]*\})`\s*(?:is|=)\s*`([0-9a-f ]+)`/g)];
    const hexSpans = [...docs.matchAll(/`([0-9a-f]{2}(?: ?[0-9a-f]{2})+)`/g)].filter((m) => squash(m[1] as string).length >= 8);
    assert.ok(examples.length >= 3, "docs/protocol.md's examples were not found");
    assert.equal(examples.length, hexSpans.length, "a hex span in docs/protocol.md is not in the form `{json}` is `hex`");
    for (const [, json, hex] of examples) {
      const bytes = squash(hex as string);
      assert.deepEqual(decodeFrame(Buffer.from(bytes, "hex")), JSON.parse(json as string), `docs/protocol.md: ${json}`);
      assert.ok(inCases.has(bytes), `no corpus case sends or expects ${hex}`);
      assert.ok(
        corpus.docExamples.some((e) => squash(e.hex) === bytes),
        `corpus.docExamples lacks ${hex}`,
      );
    }
  });
});
