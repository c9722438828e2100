import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MetricValue } from "@telehub/device-client/protocol";
import { addSample, MAX_RATE_SAMPLES, type RateSample, rateOf } from "../src/alarms/rate-samples.js";
import type { AlarmRule, EvaluationInput, Level, MetricCondition } from "../src/alarms/rule.js";
import { type AlarmStep, newEvaluationState, nextDeadline, observe, observeSeries } from "../src/alarms/rule-evaluator.js";
import { brief, type EvaluatorEvent, readings, ruleOf, run } from "./support/evaluator-run.js";
import { pick, prng, type Random } from "./support/prng.js";

const MIN = 60_000;

function temperature(levels: Level[], forMs = 0, extra: Partial<MetricCondition> = {}): MetricCondition {
  return { kind: "metric", metric: "temperature", levels, forMs, ...extra };
}

const above = (severity: Level["severity"], value: number, hysteresis?: number): Level =>
  hysteresis === undefined ? { severity, op: "above", value } : { severity, op: "above", value, hysteresis };

describe("duration (forMs)", () => {
  const rule = ruleOf({ condition: temperature([above("critical", 90)], 5 * MIN) });

  test("a short spike does not fire", () => {
    const { steps, state } = run(rule, [
      ...readings([0, 50], [10_000, 95], [20_000, 50], [30_000, 50]),
      { kind: "advance", until: 60 * MIN },
    ]);
    assert.deepEqual(steps, []);
    assert.equal(state.alarmSeverity, null);
    assert.equal(nextDeadline(rule, state), null, "nothing is pending once the spike let go");
  });

  test("a sustained value fires at heldSince + forMs, stamped at that instant", () => {
    const events: EvaluatorEvent[] = [...readings([0, 91], [MIN, 92], [2 * MIN, 93]), { kind: "advance", until: 5 * MIN - 1 }];
    const before = run(rule, events);
    assert.deepEqual(before.steps, [], "not before the duration is over");
    assert.equal(nextDeadline(rule, before.state), 5 * MIN);

    const { steps } = run(rule, [...events, { kind: "advance", until: 5 * MIN }]);
    assert.deepEqual(brief(steps), [`raised@${5 * MIN}:critical`]);
    assert.equal(steps[0]?.message, "temperature 93 above 90 for 5 min");
    assert.equal(steps[0]?.value, 93);
  });

  test("a later reading acts on the deadline first: the step is stamped at the deadline, not at the reading", () => {
    const { perEvent } = run(rule, readings([0, 91], [7 * MIN, 95]));
    assert.deepEqual(brief(perEvent[1] ?? []), [`raised@${5 * MIN}:critical`]);
  });

  test("forMs 0 raises at the reading", () => {
    const { steps } = run(ruleOf({ condition: temperature([above("critical", 90)]) }), readings([0, 50], [1000, 90.5]));
    assert.deepEqual(brief(steps), ["raised@1000:critical"]);
    assert.equal(steps[0]?.message, "temperature 90.5 above 90");
  });
});

describe("hysteresis", () => {
  /** A sine wave of amplitude 2 around 80, one reading a second for 10 min (a period of 30 s: 20 periods). */
  const wave = readings(
    ...Array.from({ length: 600 }, (_, i): [number, number] => [i * 1000, 80 + 2 * Math.sin((2 * Math.PI * i) / 30 + 0.1)]),
  );

  test("a sine wave around the threshold gives one alarm with hysteresis, and dozens without", () => {
    const withBand = run(ruleOf({ condition: temperature([above("major", 80, 5)]) }), [...wave, ...readings([601_000, 74])]);
    assert.deepEqual(
      withBand.steps.map((s) => s.kind),
      ["raised", "cleared"],
      "raised on the first crossing, cleared once the value went below 75",
    );
    assert.equal(withBand.steps[1]?.at, 601_000);

    const without = run(ruleOf({ condition: temperature([above("major", 80)]) }), wave);
    const raised = without.steps.filter((s) => s.kind === "raised").length;
    assert.ok(raised >= 19, `without hysteresis the wave raises once per period (${raised})`);
  });

  test("a held level lets go below value − hysteresis, not at it", () => {
    const rule = ruleOf({ condition: temperature([above("major", 80, 5)]) });
    const { steps } = run(rule, readings([0, 81], [1000, 80], [2000, 75.5], [3000, 75], [4000, 74.9], [5000, 79]));
    assert.deepEqual(brief(steps), ["raised@0:major", "cleared@4000:major"]);
    assert.equal(steps[1]?.message, "temperature back to 74.9");
  });

  test("a level held in the dead band keeps its duration running: it raises when the duration ends", () => {
    const rule = ruleOf({ condition: temperature([above("major", 80, 5)], 10_000) });
    const { steps } = run(rule, [...readings([0, 81], [1000, 77], [2000, 76]), { kind: "advance", until: 10_000 }]);
    assert.deepEqual(brief(steps), ["raised@10000:major"], "77 and 76 are in the band [75, 80]: the level is still held");
  });

  test("without hysteresis, a value exactly at the threshold neither raises nor lets go", () => {
    const rule = ruleOf({ condition: temperature([above("major", 80)]) });
    const { steps } = run(rule, readings([0, 80], [1000, 80.1], [2000, 80], [3000, 79.9]));
    assert.deepEqual(brief(steps), ["raised@1000:major", "cleared@3000:major"]);
  });

  test("outside a range with hysteresis lets go only well inside it", () => {
    const rule = ruleOf({ condition: temperature([{ severity: "minor", op: "outside", low: 10, high: 30, hysteresis: 2 }]) });
    const { steps } = run(rule, readings([0, 31], [1000, 29], [2000, 28.5], [3000, 28], [4000, 9], [5000, 11], [6000, 12]));
    assert.deepEqual(brief(steps), ["raised@0:minor", "cleared@3000:minor", "raised@4000:minor", "cleared@6000:minor"]);
    assert.equal(steps[0]?.message, "temperature 31 outside 10 to 30");
  });

  test("inside a range with hysteresis lets go only well outside it", () => {
    const rule = ruleOf({ condition: temperature([{ severity: "minor", op: "inside", low: 10, high: 30, hysteresis: 2 }]) });
    const { steps } = run(rule, readings([0, 10], [1000, 9], [2000, 8], [3000, 7.9]));
    assert.deepEqual(brief(steps), ["raised@0:minor", "cleared@3000:minor"]);
  });

  test("below with hysteresis", () => {
    const rule = ruleOf({ condition: temperature([{ severity: "warning", op: "below", value: 5, hysteresis: 1 }]) });
    const { steps } = run(rule, readings([0, 4], [1000, 5.5], [2000, 6], [3000, 6.1]));
    assert.deepEqual(brief(steps), ["raised@0:warning", "cleared@3000:warning"]);
  });
});

describe("escalation and de-escalation", () => {
  const levels = [above("warning", 70, 1), above("critical", 90, 1)];

  test("one alarm: raised → escalated → deescalated → cleared", () => {
    const { steps } = run(ruleOf({ condition: temperature(levels) }), readings([0, 75], [1000, 95], [2000, 80], [3000, 60]));
    assert.deepEqual(brief(steps), ["raised@0:warning", "escalated@1000:critical", "deescalated@2000:warning", "cleared@3000:warning"]);
    assert.deepEqual(
      steps.map((s) => s.message),
      ["temperature 75 above 70", "temperature 95 above 90", "temperature 80 above 70", "temperature back to 60"],
    );
  });

  test("with a duration: each severity after it has held forMs; de-escalation at once to a level held long enough", () => {
    const rule = ruleOf({ condition: temperature(levels, 10_000) });
    const { steps } = run(rule, [...readings([0, 75], [5000, 75], [10_000, 95], [15_000, 95], [20_000, 95], [25_000, 80], [30_000, 60])]);
    assert.deepEqual(brief(steps), [
      "raised@10000:warning",
      "escalated@20000:critical",
      "deescalated@25000:warning",
      "cleared@30000:warning",
    ]);
  });

  test("a value straight to critical with a duration raises critical (warning held as long), not warning then critical", () => {
    const rule = ruleOf({ condition: temperature(levels, 10_000) });
    const { steps } = run(rule, [...readings([0, 95]), { kind: "advance", until: 60_000 }]);
    assert.deepEqual(brief(steps), ["raised@10000:critical"]);
  });

  test("levels in any order in the rule", () => {
    const { steps } = run(ruleOf({ condition: temperature([above("critical", 90), above("warning", 70)]) }), readings([0, 95], [1000, 75]));
    assert.deepEqual(brief(steps), ["raised@0:critical", "deescalated@1000:warning"]);
  });
});

describe("clearing", () => {
  test("auto: the quiet period clears at quietMs after the first reading that held nothing", () => {
    const rule = ruleOf({ condition: temperature([above("major", 90)]), clear: { mode: "auto", quietMs: 30_000 } });
    const events: EvaluatorEvent[] = [...readings([0, 95], [10_000, 50], [20_000, 50]), { kind: "advance", until: 39_999 }];
    assert.deepEqual(brief(run(rule, events).steps), ["raised@0:major"]);
    const { steps } = run(rule, [...events, { kind: "advance", until: 40_000 }]);
    assert.deepEqual(brief(steps), ["raised@0:major", "cleared@40000:major"]);
    assert.equal(steps[1]?.message, "temperature back to 50");
  });

  test("auto: a reading that holds again cancels the quiet clock", () => {
    const rule = ruleOf({ condition: temperature([above("major", 90)]), clear: { mode: "auto", quietMs: 30_000 } });
    const { steps } = run(rule, [...readings([0, 95], [10_000, 50], [20_000, 95], [30_000, 50]), { kind: "advance", until: 59_999 }]);
    assert.deepEqual(brief(steps), ["raised@0:major"], "quiet since 30 000, not 10 000");
    const after = run(rule, [...readings([0, 95], [10_000, 50], [20_000, 95], [30_000, 50]), { kind: "advance", until: 60_000 }]);
    assert.deepEqual(brief(after.steps), ["raised@0:major", "cleared@60000:major"]);
  });

  test("manual: the severity only goes up, and nothing but a person clears", () => {
    const rule = ruleOf({ condition: temperature([above("warning", 70), above("critical", 90)]), clear: { mode: "manual" } });
    const { steps, state } = run(rule, [...readings([0, 75], [1000, 95], [2000, 75], [3000, 20]), { kind: "advance", until: 100 * MIN }]);
    assert.deepEqual(brief(steps), ["raised@0:warning", "escalated@1000:critical"]);
    assert.equal(state.alarmSeverity, "critical");
  });
});

describe("re-raise after a manual clear", () => {
  const rule = ruleOf({ condition: temperature([above("warning", 70), above("critical", 90)]), reRaiseAfterMs: MIN });

  test("a value that stays bad raises a new alarm reRaiseAfterMs after the clear, at the severity held", () => {
    const events: EvaluatorEvent[] = [
      ...readings([0, 95]),
      { kind: "manualClear", at: 10_000 },
      ...readings([20_000, 95], [50_000, 75]),
      { kind: "advance", until: 69_999 },
    ];
    assert.deepEqual(brief(run(rule, events).steps), ["raised@0:critical"], "nothing while the clock runs");
    const { steps } = run(rule, [...events, { kind: "advance", until: 70_000 }]);
    assert.deepEqual(brief(steps), ["raised@0:critical", "raised@70000:warning"]);
    assert.equal(steps[1]?.message, "temperature 75 above 70");
  });

  test("a value that recovered before the deadline raises nothing; the next time it holds, the usual rules apply", () => {
    const events: EvaluatorEvent[] = [
      ...readings([0, 95]),
      { kind: "manualClear", at: 10_000 },
      ...readings([20_000, 50]),
      { kind: "advance", until: 10 * MIN },
    ];
    assert.deepEqual(brief(run(rule, events).steps), ["raised@0:critical"]);
    const { steps } = run(rule, [...events, ...readings([11 * MIN, 95])]);
    assert.deepEqual(brief(steps), ["raised@0:critical", `raised@${11 * MIN}:critical`]);
  });

  test("a let-go during the clock ends it: bad again before the deadline raises by the usual rules, at once", () => {
    const { steps } = run(rule, [...readings([0, 95]), { kind: "manualClear", at: 10_000 }, ...readings([20_000, 50], [30_000, 95])]);
    assert.deepEqual(brief(steps), ["raised@0:critical", "raised@30000:critical"]);
  });

  test("a manual clear after the value recovered starts no clock (manual mode)", () => {
    const manual = ruleOf({ ...rule, condition: rule.condition, clear: { mode: "manual" }, reRaiseAfterMs: MIN });
    const { steps } = run(manual, [
      ...readings([0, 95], [5000, 20]),
      { kind: "manualClear", at: 10_000 },
      { kind: "advance", until: 100 * MIN },
    ]);
    assert.deepEqual(brief(steps), ["raised@0:critical"]);
  });

  test("with a duration: a re-raise needs no second duration; a let-go during the clock needs a full one", () => {
    const slow = ruleOf({ condition: temperature([above("critical", 90)], 5 * MIN), reRaiseAfterMs: MIN });
    const events: EvaluatorEvent[] = [
      ...readings([0, 95], [6 * MIN, 95]),
      { kind: "manualClear", at: 6 * MIN + 1 },
      ...readings([6 * MIN + 30_000, 95]),
      { kind: "advance", until: 8 * MIN },
      { kind: "manualClear", at: 8 * MIN + 1 },
      ...readings([8 * MIN + 2, 50], [8 * MIN + 3, 95]),
      { kind: "advance", until: 30 * MIN },
    ];
    const { steps } = run(slow, events);
    assert.deepEqual(brief(steps), [`raised@${5 * MIN}:critical`, `raised@${7 * MIN + 1}:critical`, `raised@${13 * MIN + 3}:critical`]);
  });
});

describe("late data", () => {
  const rule = ruleOf({ condition: temperature([above("major", 90)], MIN) });

  test("a resent reading (same ts) and an out-of-order one neither step nor flap", () => {
    const { steps, state } = run(rule, [
      ...readings([0, 95], [MIN, 95], [MIN, 95], [30_000, 20], [MIN + 10_000, 96], [MIN + 10_000, 20], [45_000, 20]),
    ]);
    assert.deepEqual(brief(steps), [`raised@${MIN}:major`]);
    assert.equal(state.watermark, MIN + 10_000);
    assert.equal(state.lastValue, 96);
  });

  test("a reading at or before a deadline already acted on is late", () => {
    const { steps, perEvent } = run(rule, [...readings([0, 95]), { kind: "advance", until: MIN }, ...readings([MIN, 20], [MIN - 1, 20])]);
    assert.deepEqual(brief(steps), [`raised@${MIN}:major`]);
    assert.deepEqual(perEvent.slice(2), [[], []]);
  });

  test("a value of the wrong type is ignored: no step, no watermark move", () => {
    const { steps, state } = run(rule, [...readings([10_000, "hot"], [20_000, true]), ...readings([5000, 95])]);
    assert.deepEqual(steps, []);
    assert.equal(state.watermark, 5000, "the number at 5 000 was still evaluated after the string at 10 000");
  });
});

describe("rate of change", () => {
  test("rising faster than the threshold per minute raises, with the rate in the message", () => {
    const rule = ruleOf({ condition: temperature([above("major", 2)], 0, { rate: { windowMs: MIN, per: "minute" } }) });
    const points = Array.from({ length: 7 }, (_, i): [number, number] => [i * 10_000, 20 + i * 0.2]);
    const { steps } = run(rule, [...readings(...points), ...readings([70_000, 21.2], [80_000, 21.2], [90_000, 21.2])]);
    // 0.2 per 10 s = 1.2/min: below 2; then flat.
    assert.deepEqual(steps, []);

    const fast = Array.from({ length: 7 }, (_, i): [number, number] => [i * 10_000, 20 + i * 0.5]);
    const rising = run(rule, [...readings(...fast), ...readings([70_000, 23], [80_000, 23], [90_000, 23])]);
    // At 80 s the window starts at 20 s (21): 2/min, at the threshold (held); at 90 s from 30 s (21.5): 1.5/min, below it.
    assert.deepEqual(brief(rising.steps), ["raised@10000:major", "cleared@90000:major"]);
    assert.equal(rising.steps[0]?.message, "temperature rising 3/min above 2");
    assert.equal(rising.steps[0]?.value, 20.5, "the step carries the reading's value");
    assert.equal(rising.steps[1]?.message, "temperature back to rising 1.5/min");
  });

  test("the first reading alone is no observation; falling is a negative rate", () => {
    const rule = ruleOf({
      condition: temperature([{ severity: "minor", op: "below", value: -1 }], 0, { rate: { windowMs: MIN, per: "second" } }),
    });
    const { perEvent } = run(rule, readings([0, 100], [10_000, 80]));
    assert.deepEqual(perEvent[0], []);
    assert.deepEqual(brief(perEvent[1] ?? []), ["raised@10000:minor"]);
    assert.equal(perEvent[1]?.[0]?.message, "temperature falling 2/s below -1");
  });

  test("samples older than the window are dropped: a slow rise over a long gap is no observation", () => {
    const rule = ruleOf({ condition: temperature([above("major", 2)], 0, { rate: { windowMs: MIN, per: "minute" } }) });
    const { steps } = run(rule, readings([0, 0], [10 * MIN, 100], [10 * MIN + 1000, 100]));
    assert.deepEqual(steps, [], "the sample at 0 is outside the window at 10 min; 100 → 100 is flat");
  });
});

describe("rate samples", () => {
  test("at most MAX_RATE_SAMPLES are kept, thinned by dropping every other; the window's oldest stays", () => {
    let samples: RateSample[] = [];
    for (let i = 0; i < 1000; i++) {
      samples = addSample(samples, i * 1000, i, 60 * MIN);
      assert.ok(samples.length <= MAX_RATE_SAMPLES);
    }
    assert.equal(samples[0]?.[0], 0, "the oldest sample of the window is kept");
    assert.deepEqual(samples[samples.length - 1], [999_000, 999]);
    assert.equal(rateOf(samples, { windowMs: 60 * MIN, per: "second" }), 1);
  });

  test("the durable state stays small on a long run of readings in the window", () => {
    const rule = ruleOf({ condition: temperature([above("major", 1000)], 0, { rate: { windowMs: 24 * 60 * MIN, per: "hour" } }) });
    const { state } = run(rule, readings(...Array.from({ length: 500 }, (_, i): [number, number] => [i * 1000, i])));
    assert.ok(JSON.stringify(state).length < 2000, `${JSON.stringify(state).length} characters`);
  });
});

describe("equals and notEquals", () => {
  test("strings: raised while equal, cleared when not", () => {
    const rule = ruleOf({
      condition: { kind: "metric", metric: "door", levels: [{ severity: "minor", op: "equals", value: "open" }], forMs: 0 },
    });
    const { steps } = run(rule, readings([0, "closed"], [1000, "open"], [2000, "open"], [3000, 1], [4000, "closed"]));
    assert.deepEqual(brief(steps), ["raised@1000:minor", "cleared@4000:minor"]);
    assert.deepEqual(
      steps.map((s) => s.message),
      ['door equals "open"', 'door back to "closed"'],
    );
  });

  test("booleans with notEquals; a number is the wrong type", () => {
    const rule = ruleOf({
      condition: { kind: "metric", metric: "pump", levels: [{ severity: "major", op: "notEquals", value: true }], forMs: 0 },
    });
    const { steps, state } = run(rule, readings([0, true], [1000, false], [2000, 0], [3000, true]));
    assert.deepEqual(brief(steps), ["raised@1000:major", "cleared@3000:major"]);
    assert.equal(steps[0]?.message, "pump false not equal to true");
    assert.equal(state.watermark, 3000);
  });
});

describe("an adopted alarm (the rule changed while it was active)", () => {
  test("the new state starts from the active alarm: no second raise; it de-escalates and clears by the rules", () => {
    const rule = ruleOf({ condition: temperature([above("warning", 70), above("critical", 90)]) });
    const { steps } = run(rule, readings([0, 95], [1000, 80], [2000, 20]), { adopt: "critical" });
    assert.deepEqual(brief(steps), ["deescalated@1000:warning", "cleared@2000:warning"]);
  });

  test("the adopted severity counts as the level held for hysteresis", () => {
    const rule = ruleOf({ condition: temperature([above("major", 80, 5)]) });
    const { steps } = run(rule, readings([0, 78], [1000, 70]), { adopt: "major" });
    assert.deepEqual(brief(steps), ["cleared@1000:major"], "78 is in the dead band: still held");
  });
});

describe("a series of readings at once", () => {
  const rules = [
    ruleOf({ condition: temperature([above("warning", 70, 2), above("critical", 90, 2)], 3_000) }),
    ruleOf({ condition: temperature([{ severity: "minor", op: "outside", low: 10, high: 60, hysteresis: 1 }], 0) }),
    ruleOf({ condition: temperature([above("major", 80, 5)], 2_000), clear: { mode: "auto", quietMs: 1_500 } }),
    ruleOf({ condition: temperature([above("major", 5)], 1_000, { rate: { windowMs: 5_000, per: "second" } }) }),
    ruleOf({ condition: { kind: "metric", metric: "door", levels: [{ severity: "warning", op: "equals", value: true }], forMs: 2_000 } }),
    ruleOf({ condition: { kind: "noData", afterMs: 2_500, severity: "major" } }),
    ruleOf({ condition: { kind: "noData", metric: "temperature", afterMs: 2_500, severity: "minor" } }),
    ruleOf({ condition: temperature([above("critical", 85)], 0), clear: { mode: "manual" } }),
  ];

  /**
   * Batches of a device whose values wander near the thresholds, with gaps, late stamps and a wrong
   * type now and then; `dense`: readings a few ms apart, so that most batches end before any duration
   * or rate window does (the step-free path), and a gap now and then lets one end.
   */
  function batchesOf(random: Random, metric: string, dense = false): { ts: number[]; values: MetricValue[] }[] {
    const batches: { ts: number[]; values: MetricValue[] }[] = [];
    let ts = 1_000;
    let level = 50;
    for (let b = 0; b < 40; b++) {
      const batch = { ts: [] as number[], values: [] as MetricValue[] };
      for (let i = 0, n = 1 + Math.floor(random() * (dense ? 60 : 20)); i < n; i++) {
        const step = dense ? 1 + Math.floor(random() * 10) : 1 + Math.floor(random() * 300);
        ts += random() < 0.05 ? 3_000 : random() < 0.05 ? -400 : step;
        level += random() < 0.1 ? (random() - 0.5) * 80 : (random() - 0.5) * 6;
        const value: MetricValue = metric === "door" ? random() < 0.3 : random() < 0.02 ? "n/a" : Math.round(level * 10) / 10;
        batch.ts.push(ts);
        batch.values.push(value);
      }
      batches.push(batch);
    }
    return batches;
  }

  test("a duration that ends at or between the readings of one series steps there, as reading by reading", () => {
    const door = ruleOf({
      condition: { kind: "metric", metric: "door", levels: [{ severity: "warning", op: "equals", value: true }], forMs: 2_000 },
    });
    const rate = rules[3] as AlarmRule;
    const cases: [AlarmRule, { ts: number[]; values: MetricValue[] }, string[]][] = [
      [door, { ts: [0, 1_000, 2_000], values: [true, true, true] }, ["raised@2000:warning"]],
      [door, { ts: [0, 1_000, 2_500], values: [true, true, false] }, ["raised@2000:warning", "cleared@2500:warning"]],
      [door, { ts: [0, 1_000, 1_999], values: [true, false, true] }, []],
      // The rate (per second, window 5 s) holds "above 5" from the second reading; it raises once held for 1 s.
      [rate, { ts: [0, 100, 200, 1_100], values: [0, 10, 20, 110] }, ["raised@1100:major"]],
    ];
    for (const [rule, series, expected] of cases) {
      const state = newEvaluationState(rule, "d1", 0);
      assert.deepEqual(brief(observeSeries(rule, state, series)), expected, JSON.stringify(series));
    }
  });

  test("observeSeries gives the steps and the state of observing each reading in turn (600 random fleets of batches)", () => {
    for (let seed = 1; seed <= 600; seed++) {
      const random = prng(seed);
      const dense = seed > 300;
      const rule = pick(random, rules);
      const { condition } = rule;
      const metric = condition.kind === "metric" ? condition.metric : "temperature";
      const anyMetric = condition.kind === "noData" && condition.metric === undefined;
      const one = newEvaluationState(rule, "d1", 0);
      const series = newEvaluationState(rule, "d1", 0);
      const stepsOne: AlarmStep[] = [];
      const stepsSeries: AlarmStep[] = [];
      for (const batch of batchesOf(random, metric, dense)) {
        for (let i = 0; i < batch.ts.length; i++) {
          const ts = batch.ts[i] as number;
          const input: EvaluationInput = anyMetric
            ? { kind: "anyReading", ts }
            : { kind: "reading", ts, value: batch.values[i] as MetricValue };
          stepsOne.push(...observe(rule, one, input));
        }
        stepsSeries.push(...observeSeries(rule, series, anyMetric ? { ts: batch.ts } : batch));
        assert.deepEqual(series, one, `seed ${seed} (${rule.condition.kind}): the states differ after a batch`);
      }
      assert.deepEqual(stepsSeries, stepsOne, `seed ${seed}: the steps differ`);
    }
  });
});
