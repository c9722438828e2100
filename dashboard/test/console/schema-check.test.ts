import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { checkAgainstSchema } from "../../src/devices/console/schema-check.js";

/** The hub's validator of argument schemas (hub/src/profiles/command-args.ts), for comparison. */
const ajv = new Ajv2020({ allErrors: true, strictSchema: false, validateFormats: false, allowUnionTypes: true });

/** Schemas and values: the page's checker must answer as ajv does. */
const CASES: { schema: Record<string, unknown>; valid: unknown[]; invalid: unknown[] }[] = [
  {
    schema: {
      type: "object",
      required: ["setpoint"],
      properties: { setpoint: { type: "number", minimum: 5, maximum: 35 } },
      additionalProperties: false,
    },
    valid: [{ setpoint: 5 }, { setpoint: 35 }, { setpoint: 21.5 }],
    invalid: [{}, { setpoint: 4.9 }, { setpoint: 36 }, { setpoint: "21" }, { setpoint: 21, extra: 1 }, null, [], "x"],
  },
  {
    schema: { type: "object", properties: { n: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 2 } } },
    valid: [{}, { n: 2 }, { n: 8 }],
    invalid: [{ n: 0 }, { n: 10 }, { n: 3 }, { n: 2.5 }],
  },
  {
    schema: { type: "object", properties: { name: { type: "string", minLength: 2, maxLength: 4, pattern: "^[a-z]+$" } } },
    valid: [{ name: "ab" }, { name: "abcd" }],
    invalid: [{ name: "a" }, { name: "abcde" }, { name: "AB" }, { name: 12 }],
  },
  {
    schema: { type: "object", properties: { mode: { enum: ["auto", "eco"] }, on: { const: true }, level: { type: ["number", "null"] } } },
    valid: [{ mode: "eco", on: true, level: null }, { level: 3 }],
    invalid: [{ mode: "off" }, { on: false }, { level: "3" }],
  },
  {
    schema: {
      type: "object",
      properties: {
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2, uniqueItems: true },
        pair: { prefixItems: [{ type: "number" }, { type: "string" }] },
      },
    },
    valid: [{ tags: ["a"] }, { tags: ["a", "b"] }, { pair: [1, "x", true] }],
    invalid: [{ tags: [] }, { tags: ["a", "b", "c"] }, { tags: ["a", "a"] }, { tags: [1] }, { pair: ["x", 1] }],
  },
  {
    schema: {
      $defs: { percent: { type: "number", minimum: 0, maximum: 100 } },
      type: "object",
      properties: { level: { $ref: "#/$defs/percent" } },
      patternProperties: { "^x-": { type: "string" } },
      additionalProperties: { type: "boolean" },
    },
    valid: [{ level: 50 }, { "x-note": "hi" }, { flag: true }],
    invalid: [{ level: 101 }, { "x-note": 1 }, { flag: "yes" }],
  },
  {
    schema: {
      type: "object",
      properties: {
        v: { anyOf: [{ type: "string" }, { type: "number", minimum: 0 }] },
        w: { oneOf: [{ type: "number" }, { type: "integer" }] },
        z: { not: { type: "null" } },
      },
      allOf: [{ maxProperties: 2 }],
      if: { required: ["v"] },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword.
      then: { required: ["z"] },
    },
    valid: [{}, { v: "a", z: 1 }, { w: 1.5 }],
    invalid: [{ v: -1, z: 1 }, { w: 1 }, { z: null }, { v: "a" }, { v: "a", z: 1, w: 1.5 }],
  },
];

describe("the device page's schema checker (command forms) answers as the hub's ajv, which the page's CSP cannot run", () => {
  for (const { schema, valid, invalid } of CASES)
    it(JSON.stringify(schema).slice(0, 90), () => {
      const validate = ajv.compile(schema);
      for (const value of [...valid, ...invalid]) {
        const expected = validate(value);
        const problems = checkAgainstSchema(schema, value);
        assert.equal(
          problems.length === 0,
          expected,
          `${JSON.stringify(value)}: ${JSON.stringify(problems)} vs ajv ${JSON.stringify(validate.errors)}`,
        );
        assert.equal(expected, valid.includes(value), `the case lists ${JSON.stringify(value)} on the right side`);
        if (!expected) {
          // The problems point where ajv points (the form shows each under that field).
          const paths = new Set((validate.errors ?? []).map((e) => e.instancePath));
          assert.ok(
            problems.some((problem) => paths.has(problem.instancePath)),
            `${JSON.stringify(value)}: ${JSON.stringify(problems)} vs ajv at ${[...paths].join(", ")}`,
          );
        }
      }
    });

  it("names the missing property of a required one, for the form to mark it", () => {
    const problems = checkAgainstSchema({ type: "object", required: ["setpoint"] }, {});
    assert.deepEqual(
      problems.map((problem) => [problem.keyword, problem.params.missingProperty]),
      [["required", "setpoint"]],
    );
  });

  it("resolves a sub-schema's $ref in its root (rjsf checks fields with their root schema)", () => {
    const root = { $defs: { percent: { type: "number", maximum: 100 } }, properties: { level: { $ref: "#/$defs/percent" } } };
    assert.equal(checkAgainstSchema(root.properties.level, 101, root).length > 0, true);
    assert.deepEqual(checkAgainstSchema(root.properties.level, 99, root), []);
  });
});
