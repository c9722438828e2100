import assert from "node:assert/strict";
import { test } from "node:test";
import { requireBinary } from "./support/require-binary.js";

test("a missing binary skips loudly locally and fails the run in CI", (t) => {
  const ci = process.env.CI;
  t.after(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });
  assert.equal(
    requireBinary("present", "", () => true),
    false,
  );
  process.env.CI = "true";
  assert.throws(() => requireBinary("nowhere-d", "apt-get install -y nowhere", () => false), /nowhere-d is not installed.*CI=true/);
  delete process.env.CI;
  const write = process.stderr.write;
  let printed = "";
  process.stderr.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    assert.match(String(requireBinary("nowhere-d", "apt-get install -y nowhere", () => false)), /SKIPPED/);
  } finally {
    process.stderr.write = write;
  }
  assert.match(printed, /!!! nowhere-d is not installed/);
});
