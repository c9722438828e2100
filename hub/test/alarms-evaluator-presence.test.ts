import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EvaluationInput } from "../src/alarms/rule.js";
import { nextDeadline } from "../src/alarms/rule-evaluator.js";
import { brief, type EvaluatorEvent, readings, ruleOf, run } from "./support/evaluator-run.js";

const MIN = 60_000;
const any = (ts: number): EvaluationInput => ({ kind: "anyReading", ts });
const presence = (connected: boolean, at: number): EvaluationInput => ({ kind: "presence", connected, at });

describe("no data", () => {
  const rule = ruleOf({ condition: { kind: "noData", afterMs: 10 * MIN, severity: "major" } });

  test("fires afterMs after the state began when nothing ever came, and clears on the next reading", () => {
    const since = 1_000_000;
    const waiting = run(rule, [{ kind: "advance", until: since + 10 * MIN - 1 }], { since });
    assert.deepEqual(waiting.steps, []);
    assert.equal(nextDeadline(rule, waiting.state), since + 10 * MIN);

    const { steps, state } = run(rule, [{ kind: "advance", until: since + 11 * MIN }, any(since + 12 * MIN)], { since });
    assert.deepEqual(brief(steps), [`raised@${since + 10 * MIN}:major`, `cleared@${since + 12 * MIN}:major`]);
    assert.deepEqual(
      steps.map((s) => [s.message, s.value]),
      [
        ["no data for 10 min", null],
        ["data again", null],
      ],
    );
    assert.equal(nextDeadline(rule, state), since + 22 * MIN, "the clock restarts at the reading");
  });

  test("fires afterMs after the newest reading (device time); each reading moves the deadline", () => {
    const { steps } = run(rule, [any(MIN), any(5 * MIN), { kind: "advance", until: 14 * MIN }, { kind: "advance", until: 15 * MIN }]);
    assert.deepEqual(brief(steps), [`raised@${15 * MIN}:major`]);
  });

  test("a reading from before the alarm's instant is late: it does not clear", () => {
    const { steps, state } = run(rule, [{ kind: "advance", until: 10 * MIN }, any(10 * MIN), any(9 * MIN)]);
    assert.deepEqual(brief(steps), [`raised@${10 * MIN}:major`]);
    assert.equal(state.alarmSeverity, "major");
  });

  test("with a metric: only that metric's readings count", () => {
    const byMetric = ruleOf({ condition: { kind: "noData", metric: "temperature", afterMs: 10 * MIN, severity: "minor" } });
    const { steps } = run(byMetric, [any(MIN), { kind: "advance", until: 10 * MIN }, ...readings([11 * MIN, 21.5])]);
    assert.deepEqual(brief(steps), [`raised@${10 * MIN}:minor`, `cleared@${11 * MIN}:minor`]);
    assert.equal(steps[0]?.message, "no data from temperature for 10 min");
    assert.equal(steps[1]?.value, 21.5);
  });

  test("re-raise after a manual clear while still silent; none once data came", () => {
    const reRaising = ruleOf({ ...rule, condition: rule.condition, reRaiseAfterMs: 5 * MIN });
    const silent = run(reRaising, [
      { kind: "advance", until: 10 * MIN },
      { kind: "manualClear", at: 11 * MIN },
      { kind: "advance", until: 60 * MIN },
    ]);
    assert.deepEqual(brief(silent.steps), [`raised@${10 * MIN}:major`, `raised@${16 * MIN}:major`]);

    const talking = run(reRaising, [
      { kind: "advance", until: 10 * MIN },
      { kind: "manualClear", at: 11 * MIN },
      any(12 * MIN),
      { kind: "advance", until: 21 * MIN },
    ]);
    assert.deepEqual(brief(talking.steps), [`raised@${10 * MIN}:major`], "the reading at 12 min restarted the usual clock (22 min)");
  });

  test("manual mode: data does not clear; a person does, and no re-raise follows while data flows", () => {
    const manual = ruleOf({ ...rule, condition: rule.condition, clear: { mode: "manual" } });
    const { steps } = run(manual, [
      { kind: "advance", until: 10 * MIN },
      any(11 * MIN),
      { kind: "manualClear", at: 12 * MIN },
      any(13 * MIN),
      { kind: "advance", until: 22 * MIN },
    ]);
    assert.deepEqual(brief(steps), [`raised@${10 * MIN}:major`]);
  });

  test("presence inputs are not data", () => {
    const { steps } = run(rule, [presence(true, MIN), { kind: "advance", until: 10 * MIN }]);
    assert.deepEqual(brief(steps), [`raised@${10 * MIN}:major`]);
  });
});

describe("offline", () => {
  const rule = ruleOf({ condition: { kind: "offline", afterMs: 10 * MIN, severity: "critical" } });

  test("a device connected at the start stays quiet; a disconnection raises afterMs later; reconnecting clears", () => {
    const events: EvaluatorEvent[] = [presence(true, 0), { kind: "advance", until: 60 * MIN }, presence(false, 61 * MIN)];
    assert.deepEqual(run(rule, [...events, { kind: "advance", until: 71 * MIN - 1 }]).steps, []);
    const { steps } = run(rule, [...events, { kind: "advance", until: 71 * MIN }, presence(true, 75 * MIN)]);
    assert.deepEqual(brief(steps), [`raised@${71 * MIN}:critical`, `cleared@${75 * MIN}:critical`]);
    assert.deepEqual(
      steps.map((s) => s.message),
      ["offline for 10 min", "online again"],
    );
  });

  test("a device never seen connected is offline since the state began", () => {
    const { steps } = run(rule, [{ kind: "advance", until: 30 * MIN }], { since: 5 * MIN });
    assert.deepEqual(brief(steps), [`raised@${15 * MIN}:critical`]);
  });

  test("a reconnection before afterMs cancels the clock; a second disconnection restarts it", () => {
    const { steps } = run(rule, [
      presence(true, 0),
      presence(false, MIN),
      presence(true, 5 * MIN),
      presence(false, 8 * MIN),
      { kind: "advance", until: 60 * MIN },
    ]);
    assert.deepEqual(brief(steps), [`raised@${18 * MIN}:critical`]);
  });

  test("readings do not count", () => {
    const { steps, state } = run(rule, [
      presence(true, 0),
      presence(false, MIN),
      ...readings([2 * MIN, 1]),
      any(3 * MIN),
      { kind: "advance", until: 11 * MIN },
    ]);
    assert.deepEqual(brief(steps), [`raised@${11 * MIN}:critical`]);
    assert.equal(state.lastReadingAt, null);
  });

  test("re-raise after a manual clear while still offline", () => {
    const reRaising = ruleOf({ ...rule, condition: rule.condition, reRaiseAfterMs: 15 * MIN });
    const { steps } = run(reRaising, [
      presence(false, 0),
      { kind: "advance", until: 10 * MIN },
      { kind: "manualClear", at: 12 * MIN },
      { kind: "advance", until: 60 * MIN },
    ]);
    assert.deepEqual(brief(steps), [`raised@${10 * MIN}:critical`, `raised@${27 * MIN}:critical`]);
  });
});
