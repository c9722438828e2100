import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plural } from "../src/output/format.js";

describe("counts in the simulator's output", () => {
  it("the singular for exactly one, the plural otherwise (fractions and zero included)", () => {
    assert.equal(plural(1, "reading"), "1 reading");
    assert.equal(plural(2, "reading"), "2 readings");
    assert.equal(plural(0, "device"), "0 devices");
    assert.equal(plural(0.5, "reading"), "0.5 readings");
    assert.equal(plural(1_000, "device"), "1,000 devices");
  });
});
