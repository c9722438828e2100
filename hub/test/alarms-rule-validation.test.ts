import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import type { RuleDefinition } from "../src/alarms/rule.js";
import { RULE_DEFINITION_SCHEMA } from "../src/alarms/rule-schema.js";
import { RULE_LIMITS, validateRule } from "../src/alarms/rule-validation.js";
import { refuseUnknownBodyFields } from "../src/http/unknown-body-fields.js";

const base = {
  name: "too warm",
  scope: { kind: "device", deviceId: "thermo-1" },
  condition: { kind: "metric", metric: "temperature", levels: [{ severity: "major", op: "above", value: 80, hysteresis: 5 }] },
};

/** Fastify as the hub configures it (its default Ajv: coercion, defaults, removeAdditional) with the API's unknown-field check. */
let http: FastifyInstance;
before(async () => {
  http = Fastify();
  refuseUnknownBodyFields(http);
  http.post("/rules", { schema: { body: RULE_DEFINITION_SCHEMA } }, async (request) => request.body);
  await http.ready();
});
after(() => http.close());

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await http.inject({ method: "POST", url: "/rules", payload: body as object });
  return { status: response.statusCode, body: response.json() };
}

describe("RULE_DEFINITION_SCHEMA", () => {
  test("fills the documented defaults", async () => {
    const { status, body } = await post(base);
    assert.equal(status, 200);
    assert.deepEqual(body, {
      ...base,
      enabled: true,
      condition: { ...base.condition, forMs: 0 },
      clear: { mode: "auto", quietMs: 0 },
      reRaiseAfterMs: 900_000,
    });
    const auto = await post({ ...base, clear: { mode: "auto" } });
    assert.deepEqual(auto.body.clear, { mode: "auto", quietMs: 0 });
    const manual = await post({ ...base, clear: { mode: "manual" } });
    assert.deepEqual(manual.body.clear, { mode: "manual" }, "no quietMs is added to a manual clear");
    const noData = await post({ ...base, condition: { kind: "noData", afterMs: 60_000, severity: "minor" } });
    assert.deepEqual(noData.body.condition, { kind: "noData", afterMs: 60_000, severity: "minor" }, "no forMs is added to no data");
  });

  test("keeps every kind's fields (no branch strips another's) and each value's JSON type", async () => {
    for (const scope of [
      { kind: "profile", profileId: "thermostat" },
      { kind: "labels", labels: { site: "north" } },
    ]) {
      const { status, body } = await post({ ...base, scope });
      assert.equal(status, 200);
      assert.deepEqual(body.scope, scope);
    }
    const levels = [
      { severity: "critical", op: "equals", value: "5" },
      { severity: "minor", op: "notEquals", value: "open" },
    ];
    const { body } = await post({ ...base, condition: { ...base.condition, levels } });
    assert.deepEqual((body.condition as { levels: unknown }).levels, levels, 'the string "5" stays a string');
    const range = await post({
      ...base,
      condition: { ...base.condition, levels: [{ severity: "minor", op: "outside", low: 1, high: 9 }] },
    });
    assert.equal(range.status, 200);
  });

  test("refuses unknown fields at every depth and missing fields of a kind", async () => {
    const refused = [
      { ...base, nmae: "x" },
      { ...base, scope: { ...base.scope, profile: "p" } },
      { ...base, condition: { ...base.condition, fro: 1 } },
      { ...base, condition: { ...base.condition, levels: [{ severity: "major", op: "above", value: 80, hysterisis: 5 }] } },
      { ...base, condition: { ...base.condition, rate: { windowMs: 1000, per: "minute", x: 1 } } },
      { ...base, clear: { mode: "auto", quiet: 5 } },
      { ...base, scope: { kind: "profile" } },
      { ...base, condition: { kind: "metric", metric: "t" } },
      { ...base, condition: { kind: "noData", severity: "major" } },
      { ...base, condition: { kind: "offline", afterMs: 1000 } },
      { ...base, condition: { ...base.condition, levels: [{ severity: "major", op: "inside", low: 1 }] } },
      { ...base, condition: { ...base.condition, levels: [{ severity: "major", op: "above" }] } },
      { ...base, condition: { ...base.condition, levels: [{ severity: "fatal", op: "above", value: 1 }] } },
    ];
    for (const body of refused) assert.equal((await post(body)).status, 400, JSON.stringify(body));
  });
});

describe("validateRule", () => {
  const metric = base.condition as RuleDefinition["condition"] & { kind: "metric" };
  const valid: RuleDefinition = {
    ...(base as RuleDefinition),
    enabled: true,
    condition: { ...metric, forMs: 0 },
    clear: { mode: "auto", quietMs: 0 },
    reRaiseAfterMs: 900_000,
  };
  const withCondition = (condition: object): RuleDefinition => ({
    ...valid,
    condition: { ...valid.condition, ...condition } as RuleDefinition["condition"],
  });
  const withLevels = (...levels: object[]) => withCondition({ levels });

  test("a sound rule of each kind passes", () => {
    assert.equal(validateRule(valid), undefined);
    assert.equal(
      validateRule({ ...valid, condition: { kind: "noData", metric: "temperature", afterMs: 1, severity: "minor" } }),
      undefined,
    );
    assert.equal(
      validateRule({
        ...valid,
        condition: { kind: "offline", afterMs: RULE_LIMITS.maxDurationMs, severity: "minor" },
        clear: { mode: "manual" },
      }),
      undefined,
    );
    assert.equal(
      validateRule(
        withLevels(
          { severity: "warning", op: "outside", low: 10, high: 30, hysteresis: 9.99 },
          { severity: "minor", op: "inside", low: 10, high: 30 },
          { severity: "major", op: "below", value: 0 },
          { severity: "critical", op: "above", value: 100 },
        ),
      ),
      undefined,
    );
    assert.equal(validateRule(withCondition({ rate: { windowMs: 60_000, per: "minute" } })), undefined);
  });

  const cases: [string, RuleDefinition, string][] = [
    ["an empty name", { ...valid, name: "  " }, "name"],
    ["a long name", { ...valid, name: "x".repeat(RULE_LIMITS.maxNameLength + 1) }, "name"],
    ["a long description", { ...valid, description: "x".repeat(RULE_LIMITS.maxDescriptionLength + 1) }, "description"],
    [
      "another kind's scope field",
      { ...valid, scope: { kind: "device", deviceId: "d", profileId: "p" } as RuleDefinition["scope"] },
      "scope.profileId",
    ],
    ["an empty label selector", { ...valid, scope: { kind: "labels", labels: {} } }, "scope.labels"],
    ["a bad metric name", withCondition({ metric: "temp erature" }), "condition.metric"],
    ["no levels", withLevels(), "condition.levels"],
    [
      "five levels",
      withLevels(...["critical", "major", "minor", "warning", "critical"].map((severity, i) => ({ severity, op: "above", value: i }))),
      "condition.levels",
    ],
    [
      "a repeated severity",
      withLevels({ severity: "major", op: "above", value: 1 }, { severity: "major", op: "above", value: 2 }),
      "condition.levels[1].severity",
    ],
    ["low not below high", withLevels({ severity: "major", op: "inside", low: 5, high: 5 }), "condition.levels[0].low"],
    ["a negative hysteresis", withLevels({ severity: "major", op: "above", value: 5, hysteresis: -1 }), "condition.levels[0].hysteresis"],
    [
      "hysteresis of half the range",
      withLevels({ severity: "major", op: "outside", low: 10, high: 30, hysteresis: 10 }),
      "condition.levels[0].hysteresis",
    ],
    ["hysteresis on equals", withLevels({ severity: "major", op: "equals", value: 5, hysteresis: 1 }), "condition.levels[0].hysteresis"],
    ["a string threshold", withLevels({ severity: "major", op: "above", value: "5" }), "condition.levels[0].value"],
    ["low on above", withLevels({ severity: "major", op: "above", value: 5, low: 1 }), "condition.levels[0].low"],
    [
      "levels comparing two types",
      withLevels({ severity: "major", op: "equals", value: "open" }, { severity: "minor", op: "above", value: 1 }),
      "condition.levels[1].value",
    ],
    [
      "equals on a rate",
      withCondition({ rate: { windowMs: 1000, per: "second" }, levels: [{ severity: "major", op: "equals", value: 1 }] }),
      "condition.levels[0].op",
    ],
    ["a zero rate window", withCondition({ rate: { windowMs: 0, per: "second" } }), "condition.rate.windowMs"],
    ["forMs over 30 days", withCondition({ forMs: RULE_LIMITS.maxDurationMs + 1 }), "condition.forMs"],
    ["a negative forMs", withCondition({ forMs: -1 }), "condition.forMs"],
    ["afterMs on a metric condition", withCondition({ afterMs: 5 }), "condition.afterMs"],
    [
      "levels on no data",
      { ...valid, condition: { kind: "noData", afterMs: 5, severity: "major", levels: [] } as RuleDefinition["condition"] },
      "condition.levels",
    ],
    [
      "a metric on offline",
      { ...valid, condition: { kind: "offline", afterMs: 5, severity: "major", metric: "t" } as RuleDefinition["condition"] },
      "condition.metric",
    ],
    ["afterMs 0", { ...valid, condition: { kind: "offline", afterMs: 0, severity: "major" } }, "condition.afterMs"],
    ["a quiet period over 30 days", { ...valid, clear: { mode: "auto", quietMs: RULE_LIMITS.maxDurationMs + 1 } }, "clear.quietMs"],
    ["quietMs on a manual clear", { ...valid, clear: { mode: "manual", quietMs: 5 } as RuleDefinition["clear"] }, "clear.quietMs"],
    ["a fractional reRaiseAfterMs", { ...valid, reRaiseAfterMs: 1.5 }, "reRaiseAfterMs"],
  ];
  for (const [what, definition, field] of cases) {
    test(`refuses ${what}, naming ${field}`, () => {
      const problem = validateRule(definition);
      assert.equal(problem?.field, field, JSON.stringify(problem));
      assert.ok((problem?.message.length ?? 0) > 0);
    });
  }
});
