import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MetricValue } from "@telehub/device-client/protocol";
import type { BacktestResult } from "../src/alarms/alarm-api.js";
import type { AlarmRule } from "../src/alarms/rule.js";
import { parseApiKey } from "../src/http/api-key-format.js";
import { summariseBacktest, TOO_HOT_CONDITION, tooHotBacktest, tooHotHistory } from "./support/alarm-rule-bodies.js";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";

const MAX_RULES = 6;
const MAX_BACKTEST_POINTS = 20;
const MAX_BACKTEST_RANGE_MS = 3_600_000;

/** A warning above 50 and a critical above 80 on temperature, on one device. */
function thermostatRule(deviceId: string, extra: Record<string, unknown> = {}) {
  return {
    name: `Too hot on ${deviceId}`,
    scope: { kind: "device", deviceId },
    condition: TOO_HOT_CONDITION,
    ...extra,
  };
}

describe("HTTP API: alarm rules and backtests", () => {
  let t: HttpTestHub;
  let operatorKey: string;
  let operatorKeyId: string;
  let viewerKey: string;
  let seq = 0;

  /** Store readings as if the device had sent them (straight into the telemetry store: no live evaluation). */
  async function storeHistory(deviceId: string, readings: [number, Record<string, MetricValue>][]): Promise<void> {
    await t.hub.telemetry.append(readings.map(([ts, metrics]) => ({ deviceId, seq: ++seq, receivedAt: ts, readings: [{ ts, metrics }] })));
  }

  before(async () => {
    t = await HttpTestHub.start({
      alarms: { maxRules: MAX_RULES, maxBacktestPoints: MAX_BACKTEST_POINTS, maxBacktestRangeMs: MAX_BACKTEST_RANGE_MS },
    });
    operatorKey = await t.createKey("operator", "rule writer");
    operatorKeyId = parseApiKey(operatorKey)?.id as string;
    viewerKey = await t.createKey("viewer");
    await t.createDevice("bt-1");
    await t.createDevice("bt-2");
    await storeHistory("bt-1", tooHotHistory(T0));
    await storeHistory(
      "bt-2",
      Array.from({ length: 30 }, (_, i): [number, Record<string, MetricValue>] => [T0 - 300_000 + i * 1000, { temperature: 60 + i }]),
    );
  });

  after(() => t.close());

  it("creates a rule with the documented defaults, as the caller, version 1", async () => {
    const response = await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: thermostatRule("bt-1") });
    assert.equal(response.statusCode, 201, response.body);
    const rule = response.json() as AlarmRule;
    assert.match(rule.id, /^[A-Za-z0-9_-]+$/);
    assert.equal(rule.version, 1);
    assert.equal(rule.enabled, true);
    assert.deepEqual(rule.clear, { mode: "auto", quietMs: 0 });
    assert.equal(rule.reRaiseAfterMs, 900_000);
    assert.equal((rule.condition as { forMs: number }).forMs, 0);
    assert.equal(rule.updatedBy, `key:${operatorKeyId}`);
    assert.equal(rule.createdAt, T0);
    assert.deepEqual((await t.request("GET", `/api/v1/alarm-rules/${rule.id}`, { key: viewerKey })).json(), rule);
    const audit = (await t.request("GET", `/api/v1/audit?action=alarm-rule.create&target=${rule.id}`)).json() as {
      data: { actor: string; details: { version: number } }[];
    };
    assert.equal(audit.data.length, 1);
    assert.equal(audit.data[0]?.actor, `key:${operatorKeyId}`);
    assert.equal(audit.data[0]?.details.version, 1);
    assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${rule.id}`, { key: operatorKey })).statusCode, 204);
  });

  it("lists rules by name, paged, with X-Total-Count", async () => {
    const ids: string[] = [];
    for (const name of ["charlie", "alpha", "bravo"]) {
      const created = await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: { ...thermostatRule("bt-1"), name } });
      ids.push((created.json() as AlarmRule).id);
    }
    const all = await t.request("GET", "/api/v1/alarm-rules", { key: viewerKey });
    assert.equal(all.statusCode, 200);
    assert.equal(all.headers["x-total-count"], "3");
    assert.deepEqual(
      (all.json() as { data: AlarmRule[] }).data.map((rule) => rule.name),
      ["alpha", "bravo", "charlie"],
    );
    const page = (await t.request("GET", "/api/v1/alarm-rules?limit=1&offset=1", { key: viewerKey })).json() as {
      data: AlarmRule[];
      total: number;
      limit: number;
      offset: number;
    };
    assert.deepEqual(
      { names: page.data.map((rule) => rule.name), total: page.total, limit: page.limit, offset: page.offset },
      { names: ["bravo"], total: 3, limit: 1, offset: 1 },
    );
    for (const id of ids) assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${id}`)).statusCode, 204);
  });

  it("replaces a rule (version + 1), refuses a stale version with 409 TH_API_RULE_VERSION_CONFLICT, and audits", async () => {
    const rule = (await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: thermostatRule("bt-1") })).json() as AlarmRule;
    const updated = await t.request("PUT", `/api/v1/alarm-rules/${rule.id}`, {
      key: operatorKey,
      body: { ...thermostatRule("bt-1"), name: "renamed", version: 1 },
    });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.deepEqual(
      { name: (updated.json() as AlarmRule).name, version: (updated.json() as AlarmRule).version },
      { name: "renamed", version: 2 },
    );
    const stale = await t.request("PUT", `/api/v1/alarm-rules/${rule.id}`, {
      key: operatorKey,
      body: { ...thermostatRule("bt-1"), name: "lost", version: 1 },
    });
    assert.deepEqual(errorOf(stale), { status: 409, code: "TH_API_RULE_VERSION_CONFLICT" });
    assert.deepEqual((stale.json() as { error: { details: unknown } }).error.details, { current: 2 });
    assert.equal(((await t.request("GET", `/api/v1/alarm-rules/${rule.id}`)).json() as AlarmRule).name, "renamed");
    // Without a version the update always applies.
    const blind = await t.request("PUT", `/api/v1/alarm-rules/${rule.id}`, { key: operatorKey, body: thermostatRule("bt-1") });
    assert.equal((blind.json() as AlarmRule).version, 3);
    const audit = (await t.request("GET", `/api/v1/audit?action=alarm-rule.update&target=${rule.id}`)).json() as {
      data: { details: { version: number } }[];
    };
    assert.deepEqual(
      audit.data.map((entry) => entry.details.version),
      [3, 2],
    );
    assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${rule.id}`, { key: operatorKey })).statusCode, 204);
    assert.equal((await t.request("GET", `/api/v1/audit?action=alarm-rule.delete&target=${rule.id}`)).json().data.length, 1);
  });

  it("answers 404 TH_API_NOT_FOUND for a rule that does not exist", async () => {
    for (const [method, url, body] of [
      ["GET", "/api/v1/alarm-rules/rule_none", undefined],
      ["PUT", "/api/v1/alarm-rules/rule_none", thermostatRule("bt-1")],
      ["DELETE", "/api/v1/alarm-rules/rule_none", undefined],
      ["POST", "/api/v1/alarm-rules/rule_none/backtest", { deviceId: "bt-1", from: T0 - 60_000, to: T0 }],
    ] as const) {
      assert.deepEqual(errorOf(await t.request(method, url, { body })), { status: 404, code: "TH_API_NOT_FOUND" }, `${method} ${url}`);
    }
  });

  it("refuses a rule broken between fields with 400 TH_API_RULE_INVALID naming the field", async () => {
    const cases: [string, unknown, string][] = [
      [
        "two levels of one severity",
        {
          ...thermostatRule("bt-1"),
          condition: {
            kind: "metric",
            metric: "t",
            levels: [
              { severity: "major", op: "above", value: 1 },
              { severity: "major", op: "above", value: 2 },
            ],
          },
        },
        "condition.levels[1].severity",
      ],
      [
        "low not below high",
        {
          ...thermostatRule("bt-1"),
          condition: { kind: "metric", metric: "t", levels: [{ severity: "minor", op: "outside", low: 30, high: 10 }] },
        },
        "condition.levels[0].low",
      ],
      ["an empty name", { ...thermostatRule("bt-1"), name: "  " }, "name"],
      ["a device that does not exist", thermostatRule("no-such-device"), "scope.deviceId"],
      [
        "a profile that does not exist",
        { ...thermostatRule("bt-1"), scope: { kind: "profile", profileId: "no-such-profile" } },
        "scope.profileId",
      ],
    ];
    for (const [what, body, field] of cases) {
      for (const [method, url] of [
        ["POST", "/api/v1/alarm-rules"],
        ["PUT", "/api/v1/alarm-rules/rule_none"],
      ] as const) {
        const response = await t.request(method, url, { key: operatorKey, body });
        assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_RULE_INVALID" }, `${method} ${what}`);
        const error = (response.json() as { error: { message: string; details: { field: string } } }).error;
        assert.equal(error.details.field, field, what);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
      }
    }
    assert.equal((await t.request("GET", "/api/v1/alarm-rules")).json().total, 0);
  });

  it("refuses a body of the wrong shape or with an unknown field, at any depth, with 400 TH_API_VALIDATION", async () => {
    const rule = thermostatRule("bt-1");
    for (const body of [
      { ...rule, colour: "red" },
      { ...rule, scope: { ...rule.scope, site: "x" } },
      { ...rule, condition: { ...rule.condition, levels: [{ severity: "major", op: "above", value: 1, hysterisis: 1 }] } },
      { ...rule, condition: { ...rule.condition, kind: "sometimes" } },
      { ...rule, clear: { mode: "auto", quietMs: "soon" } },
      { name: "no scope", condition: rule.condition },
    ]) {
      const response = await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body });
      assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_VALIDATION" }, JSON.stringify(body));
    }
  });

  it("refuses viewers every write and backtest with 403 TH_API_FORBIDDEN", async () => {
    for (const [method, url, body] of [
      ["POST", "/api/v1/alarm-rules", thermostatRule("bt-1")],
      ["PUT", "/api/v1/alarm-rules/rule_none", thermostatRule("bt-1")],
      ["DELETE", "/api/v1/alarm-rules/rule_none", undefined],
      ["POST", "/api/v1/alarm-rules/backtest", { rule: thermostatRule("bt-1"), deviceId: "bt-1", from: T0 - 60_000, to: T0 }],
      ["POST", "/api/v1/alarm-rules/rule_none/backtest", { deviceId: "bt-1", from: T0 - 60_000, to: T0 }],
    ] as const) {
      assert.deepEqual(errorOf(await t.request(method, url, { key: viewerKey, body })), { status: 403, code: "TH_API_FORBIDDEN" }, url);
    }
  });

  it(`refuses a rule beyond alarms.maxRules (${MAX_RULES}) with 409 TH_API_RULE_LIMIT`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_RULES; i++) {
      const created = await t.request("POST", "/api/v1/alarm-rules", {
        key: operatorKey,
        body: { ...thermostatRule("bt-1"), name: `r${i}` },
      });
      assert.equal(created.statusCode, 201, created.body);
      ids.push((created.json() as AlarmRule).id);
    }
    const refused = await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: thermostatRule("bt-1") });
    assert.deepEqual(errorOf(refused), { status: 409, code: "TH_API_RULE_LIMIT" });
    assert.equal((await t.request("GET", "/api/v1/alarm-rules")).json().total, MAX_RULES);
    // Updating one at the limit is fine; deleting one makes room.
    assert.equal(
      (await t.request("PUT", `/api/v1/alarm-rules/${ids[0]}`, { key: operatorKey, body: thermostatRule("bt-2") })).statusCode,
      200,
    );
    for (const id of ids) assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${id}`)).statusCode, 204);
  });

  it("holds the rule limit when many rules are created at once", async () => {
    const answers = await Promise.all(
      Array.from({ length: MAX_RULES + 4 }, (_, i) =>
        t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: { ...thermostatRule("bt-1"), name: `at once ${i}` } }),
      ),
    );
    assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [
      ...Array<number>(MAX_RULES).fill(201),
      ...Array<number>(4).fill(409),
    ]);
    const { data } = (await t.request("GET", "/api/v1/alarm-rules")).json() as { data: AlarmRule[] };
    assert.equal(data.length, MAX_RULES);
    for (const rule of data) assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${rule.id}`)).statusCode, 204);
  });

  it("backtests a rule not saved yet on the device's stored history: raise, escalate, de-escalate, clear, raise again", async () => {
    const from = T0 - 120_000;
    const response = await t.request("POST", "/api/v1/alarm-rules/backtest", {
      key: operatorKey,
      body: { rule: thermostatRule("bt-1"), deviceId: "bt-1", from, to: T0 },
    });
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as BacktestResult;
    assert.deepEqual(
      { deviceId: result.deviceId, from: result.from, to: result.to, points: result.points, truncated: result.truncated },
      { deviceId: "bt-1", from, to: T0, points: 6, truncated: false },
    );
    assert.deepEqual(summariseBacktest(result), tooHotBacktest(T0, T0));
    assert.equal(result.alarms[0]?.steps[0]?.message, "temperature 60 above 50");
    // Nothing was stored: a backtest raises no alarm.
    assert.equal((await t.request("GET", "/api/v1/alarms")).json().total, 0);
  });

  it("backtests a saved rule the same way, on any device, whatever its scope", async () => {
    const rule = (await t.request("POST", "/api/v1/alarm-rules", { key: operatorKey, body: thermostatRule("bt-2") })).json() as AlarmRule;
    const response = await t.request("POST", `/api/v1/alarm-rules/${rule.id}/backtest`, {
      key: operatorKey,
      body: { deviceId: "bt-1", from: T0 - 120_000, to: T0 - 10_000 },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(summariseBacktest(response.json() as BacktestResult), tooHotBacktest(T0, T0 - 10_000));
    assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${rule.id}`)).statusCode, 204);
  });

  it(`cuts a backtest at alarms.maxBacktestPoints (${MAX_BACKTEST_POINTS}) and says so`, async () => {
    const response = await t.request("POST", "/api/v1/alarm-rules/backtest", {
      key: operatorKey,
      body: { rule: thermostatRule("bt-2"), deviceId: "bt-2", from: T0 - 400_000, to: T0 },
    });
    const result = response.json() as BacktestResult;
    assert.deepEqual({ points: result.points, truncated: result.truncated }, { points: MAX_BACKTEST_POINTS, truncated: true });
    assert.equal(result.alarms[0]?.raisedAt, T0 - 300_000);
  });

  it("refuses a backtest's bad range, unknown device, offline rule and invalid rule with their codes", async () => {
    const rule = thermostatRule("bt-1");
    const cases: [string, Record<string, unknown>, { status: number; code: string }][] = [
      ["to before from", { rule, deviceId: "bt-1", from: T0, to: T0 - 1 }, { status: 400, code: "TH_API_BACKTEST_RANGE" }],
      ["to equal to from", { rule, deviceId: "bt-1", from: T0, to: T0 }, { status: 400, code: "TH_API_BACKTEST_RANGE" }],
      [
        "a range over alarms.maxBacktestRangeMs",
        { rule, deviceId: "bt-1", from: T0 - MAX_BACKTEST_RANGE_MS - 1, to: T0 },
        { status: 400, code: "TH_API_BACKTEST_RANGE" },
      ],
      ["an unknown device", { rule, deviceId: "nobody", from: T0 - 1000, to: T0 }, { status: 404, code: "TH_API_NOT_FOUND" }],
      [
        "an offline rule",
        {
          rule: { ...rule, condition: { kind: "offline", afterMs: 60_000, severity: "major" } },
          deviceId: "bt-1",
          from: T0 - 1000,
          to: T0,
        },
        { status: 400, code: "TH_API_BACKTEST_UNSUPPORTED" },
      ],
      [
        "an invalid rule",
        { rule: { ...rule, condition: { ...rule.condition, forMs: -1 } }, deviceId: "bt-1", from: T0 - 1000, to: T0 },
        { status: 400, code: "TH_API_RULE_INVALID" },
      ],
      ["an unknown field", { rule, deviceId: "bt-1", from: T0 - 1000, to: T0, step: 1 }, { status: 400, code: "TH_API_VALIDATION" }],
    ];
    for (const [what, body, expected] of cases) {
      assert.deepEqual(errorOf(await t.request("POST", "/api/v1/alarm-rules/backtest", { key: operatorKey, body })), expected, what);
    }
    const exactly = await t.request("POST", "/api/v1/alarm-rules/backtest", {
      key: operatorKey,
      body: { rule, deviceId: "bt-1", from: T0 - MAX_BACKTEST_RANGE_MS, to: T0 },
    });
    assert.equal(exactly.statusCode, 200, "a range of exactly alarms.maxBacktestRangeMs is allowed");
  });
});
