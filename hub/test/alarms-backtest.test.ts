import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BacktestUnsupportedError } from "../src/alarms/alarm-api.js";
import { backtest } from "../src/alarms/backtest.js";
import type { RuleDefinition } from "../src/alarms/rule.js";
import type { RawPoint } from "../src/storage/telemetry-store.js";
import { type EvaluatorEvent, ruleOf, run } from "./support/evaluator-run.js";

const MIN = 60_000;

const thermostat: RuleDefinition = {
  name: "too warm",
  enabled: true,
  scope: { kind: "device", deviceId: "d1" },
  condition: {
    kind: "metric",
    metric: "temperature",
    levels: [
      { severity: "warning", op: "above", value: 70 },
      { severity: "critical", op: "above", value: 90 },
    ],
    forMs: 0,
  },
  clear: { mode: "auto", quietMs: 0 },
  reRaiseAfterMs: 900_000,
};

/** Temperature points with a humidity point beside each (the store answers every metric of the device). */
function history(...pairs: [number, number][]): RawPoint[] {
  return pairs.flatMap(([ts, value]) => [
    { ts, metric: "humidity", value: 40 },
    { ts, metric: "temperature", value },
  ]);
}

describe("backtest", () => {
  const points = history([0, 60], [10, 75], [20, 95], [30, 80], [40, 60], [50, 95]);

  test("each alarm's steps and consecutive severity spans; the last one runs to the range's end", () => {
    const result = backtest(thermostat, "d1", points, { from: 0, to: 100 }, false);
    assert.deepEqual(
      {
        ...result,
        alarms: result.alarms.map(({ steps, ...alarm }) => ({ ...alarm, steps: steps.map((s) => `${s.kind}@${s.at}:${s.severity}`) })),
      },
      {
        deviceId: "d1",
        from: 0,
        to: 100,
        points: 6,
        truncated: false,
        alarms: [
          {
            raisedAt: 10,
            clearedAt: 40,
            peakSeverity: "critical",
            steps: ["raised@10:warning", "escalated@20:critical", "deescalated@30:warning", "cleared@40:warning"],
            spans: [
              { from: 10, to: 20, severity: "warning" },
              { from: 20, to: 30, severity: "critical" },
              { from: 30, to: 40, severity: "warning" },
            ],
          },
          {
            raisedAt: 50,
            clearedAt: null,
            peakSeverity: "critical",
            steps: ["raised@50:critical"],
            spans: [{ from: 50, to: 100, severity: "critical" }],
          },
        ],
      },
    );
    assert.equal(result.alarms[0]?.steps[0]?.message, "temperature 75 above 70");
  });

  test("the same steps as the live evaluator fed the same readings (one implementation)", () => {
    const rule = ruleOf({
      ...thermostat,
      condition: {
        kind: "metric",
        metric: "temperature",
        levels: [{ severity: "major", op: "above", value: 70, hysteresis: 5 }],
        forMs: 5,
      },
      clear: { mode: "auto", quietMs: 7 },
    });
    const events: EvaluatorEvent[] = [
      ...points.filter((p) => p.metric === "temperature").map((p): EvaluatorEvent => ({ kind: "reading", ts: p.ts, value: p.value })),
      { kind: "advance", until: 100 },
    ];
    const live = run(rule, events).steps.map(({ kind, at, severity, message }) => ({ kind, at, severity, message }));
    const replayed = backtest(rule, "d1", points, { from: 0, to: 100 }, false).alarms.flatMap((alarm) => alarm.steps);
    assert.deepEqual(
      live.map((s) => `${s.kind}@${s.at}`),
      ["raised@15", "cleared@47", "raised@55"],
    );
    assert.deepEqual(replayed, live);
  });

  test("points outside the range and repeated timestamps are not evaluated", () => {
    const result = backtest(
      thermostat,
      "d1",
      [...history([-5, 95]), ...points, ...history([50, 95], [200, 20])],
      { from: 0, to: 100 },
      false,
    );
    assert.equal(result.points, 6);
    assert.equal(result.alarms.length, 2);
    assert.equal(result.alarms[1]?.clearedAt, null);
  });

  test("truncated: the result covers the range up to the last point given", () => {
    const rule: RuleDefinition = { ...thermostat, condition: { kind: "noData", afterMs: 10 * MIN, severity: "major" } };
    const full = backtest(rule, "d1", history([0, 1], [5 * MIN, 1]), { from: 0, to: 60 * MIN }, false);
    assert.deepEqual(
      full.alarms.map((a) => [a.raisedAt, a.clearedAt, a.steps[0]?.message]),
      [[15 * MIN, null, "no data for 10 min"]],
    );
    assert.equal(full.points, 2, "a no-data rule without a metric: one reading per distinct timestamp");

    const cut = backtest(rule, "d1", history([0, 1], [5 * MIN, 1]), { from: 0, to: 60 * MIN }, true);
    assert.deepEqual([cut.to, cut.truncated, cut.alarms], [5 * MIN, true, []]);
  });

  test("no data starts watching at the range's start", () => {
    const rule: RuleDefinition = {
      ...thermostat,
      condition: { kind: "noData", metric: "temperature", afterMs: 10 * MIN, severity: "minor" },
    };
    const result = backtest(
      rule,
      "d1",
      [{ ts: 12 * MIN, metric: "humidity", value: 1 }, ...history([20 * MIN, 3])],
      { from: 0, to: 25 * MIN },
      false,
    );
    assert.deepEqual(
      result.alarms.map((a) => [a.raisedAt, a.clearedAt, a.steps.map((s) => s.message)]),
      [[10 * MIN, 20 * MIN, ["no data from temperature for 10 min", "data again"]]],
    );
  });

  test("an offline rule throws BacktestUnsupportedError: no connection history is kept", () => {
    const rule: RuleDefinition = { ...thermostat, condition: { kind: "offline", afterMs: MIN, severity: "major" } };
    assert.throws(
      () => backtest(rule, "d1", points, { from: 0, to: 100 }, false),
      (error: unknown) => {
        assert.ok(error instanceof BacktestUnsupportedError);
        assert.match(error.message, /no connection history/);
        return true;
      },
    );
  });
});
