import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CALIBRATION,
  calibrationFactors,
  estimateVariables,
  flatStringVars,
  functionShapes,
  stringVars,
  typedArrayVars,
} from "../scripts/espruino/memory-estimate.js";
import { BUDGET_READINGS, clientEstimate, sleepClientShape, VARIABLE_BUDGET } from "../scripts/espruino/memory-report.js";

/*
 * The memory ESTIMATE of the ESP32 client (no Espruino interpreter runs here; docs/esp32.md
 * says how to measure on a board). These tests pin the storage rules, the calibration against
 * the figures measured on the interpreter, and the budget of issue 6.
 */

describe("Espruino memory estimate", () => {
  test("storage rules of 14-byte variables: 9 chars in a string's first variable, 10 per extension, flat strings 14 bytes per variable", () => {
    assert.deepEqual([stringVars(0), stringVars(9), stringVars(10), stringVars(19), stringVars(20)], [1, 1, 2, 2, 3]);
    assert.equal(flatStringVars(19), 2, "up to the break-even length a flat string is not used");
    assert.equal(flatStringVars(1000), 1 + 72);
    assert.equal(typedArrayVars(1000), 2 + 73);
    assert.deepEqual(functionShapes("(function(){function f(a,b){return a}const g=()=>{h(()=>1)}})()", 1), [
      [10, 2],
      [10, 0],
      [1, 0],
    ]);
  });

  test("calibrated against every figure measured on the interpreter: none undercounted, the worst overcount within 5%", () => {
    const factors = calibrationFactors();
    assert.equal(CALIBRATION.length, 5);
    for (const c of CALIBRATION) {
      const calibrated = Math.ceil(c.modelled * factors[c.kind]);
      assert.ok(calibrated >= c.measured, `${c.name}: ${calibrated} < ${c.measured}`);
      assert.ok(calibrated <= c.measured * 1.05, `${c.name}: ${calibrated} vs ${c.measured}`);
      // The rules alone stay within a third of the truth: the factors correct, they do not invent.
      assert.ok(c.modelled >= c.measured * 0.66 && c.modelled <= c.measured, `${c.name}: rules ${c.modelled}`);
    }
  });

  test(`the client with a full ${BUDGET_READINGS}-reading buffer, flashed by npm run flash, is estimated within ${VARIABLE_BUDGET} variables`, async () => {
    const { lines, total } = await clientEstimate("flash");
    assert.ok(total <= VARIABLE_BUDGET, lines.map((l) => `${l.vars} ${l.what}`).join("\n"));
    const ring = lines.find((l) => l.what.startsWith("reading ring"));
    assert.ok(ring && ring.vars > 700 && ring.vars < 850, "the packed ring: about 111 variables per 1,000 bytes, as measured");
    const half = await clientEstimate("flash", BUDGET_READINGS / 2);
    assert.ok(half.total < total - 300, "the ring is what grows with the buffer");
  });

  test(`the deep-sleep client (HTTP) with a full ${BUDGET_READINGS}-reading buffer is estimated within ${VARIABLE_BUDGET} variables too`, async () => {
    const { lines, total } = estimateVariables(await sleepClientShape(), "flash");
    assert.ok(total <= VARIABLE_BUDGET, lines.map((l) => `${l.vars} ${l.what}`).join("\n"));
    const file = lines.find((l) => l.what.includes("flash file"));
    assert.ok(file && file.vars < 100, "the flash file is written piece by piece, never whole in RAM");
  });
});
