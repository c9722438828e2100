import assert from "node:assert/strict";
import { test } from "node:test";
import type { AlarmRule, Condition, Level, Severity } from "../src/alarms/rule.js";
import { SEVERITIES, severityRank } from "../src/alarms/rule.js";
import type { AlarmStep } from "../src/alarms/rule-evaluator.js";
import { type EvaluatorEvent, ruleOf, run } from "./support/evaluator-run.js";
import { pick, prng, type Random } from "./support/prng.js";

const SCENARIOS = 300;
const EVENTS = 150;

function randomLevels(random: Random): Level[] {
  const severities = [...SEVERITIES].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 4));
  return severities.map((severity): Level => {
    const hysteresis = pick(random, [undefined, 0, 2, 5]);
    const band = hysteresis === undefined ? {} : { hysteresis };
    const levels: Level[] = [
      { severity, op: "above", value: 40 + Math.floor(random() * 40), ...band },
      { severity, op: "below", value: 20 + Math.floor(random() * 40), ...band },
      { severity, op: "outside", low: 30, high: 70, ...band },
      { severity, op: "inside", low: 40, high: 60, ...band },
    ];
    return pick(random, levels);
  });
}

function randomRule(random: Random): AlarmRule {
  const kind = pick(random, ["metric", "metric", "metric", "noData", "offline"] as const);
  let condition: Condition;
  if (kind === "metric") {
    const rate = random() < 0.2 ? { rate: { windowMs: 30_000, per: "second" as const } } : {};
    condition = { kind, metric: "m", levels: randomLevels(random), forMs: pick(random, [0, 5000, 30_000]), ...rate };
  } else if (kind === "noData") {
    condition = {
      kind,
      afterMs: pick(random, [10_000, 60_000]),
      severity: pick(random, SEVERITIES),
      ...(random() < 0.5 ? { metric: "m" } : {}),
    };
  } else condition = { kind, afterMs: pick(random, [10_000, 60_000]), severity: pick(random, SEVERITIES) };
  return ruleOf({
    condition,
    clear: random() < 0.25 ? { mode: "manual" } : { mode: "auto", quietMs: pick(random, [0, 10_000]) },
    reRaiseAfterMs: pick(random, [0, 20_000, 100_000]),
  });
}

/** Inputs in time order (readings, some resent or out of order or of the wrong type; presence; manual clears). */
function randomEvents(random: Random): EvaluatorEvent[] {
  const events: EvaluatorEvent[] = [];
  let t = 1000;
  const sent: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    t += Math.floor(random() * 20_000);
    const roll = random();
    if (roll < 0.6) {
      events.push({ kind: "reading", ts: t, value: Math.round(random() * 1000) / 10 });
      sent.push(t);
    } else if (roll < 0.7 && sent.length > 0)
      events.push({ kind: "reading", ts: pick(random, sent), value: Math.round(random() * 1000) / 10 });
    else if (roll < 0.75) events.push({ kind: "reading", ts: t, value: pick(random, ["x", true]) });
    else if (roll < 0.8) events.push({ kind: "anyReading", ts: t });
    else if (roll < 0.9) events.push({ kind: "presence", connected: random() < 0.5, at: t });
    else {
      // The engine clears an alarm it knows: its ticks have acted on the deadlines before (up to its late grace).
      events.push({ kind: "advance", until: t - 1 }, { kind: "manualClear", at: t });
    }
  }
  events.push({ kind: "advance", until: t + 200_000 });
  return events;
}

/** The time an event happens at (ticks must come before the next input, as the engine's do). */
const timeOf = (event: EvaluatorEvent): number =>
  event.kind === "presence" || event.kind === "manualClear" ? event.at : event.kind === "advance" ? event.until : event.ts;

/**
 * The same events with engine-like ticks (advance) between them, each before the next event's time.
 * None just before a manual clear: the engine's ticks lag hub time by `alarms.lateGraceMs`, and a
 * clear forgets the alarm without acting on deadlines first.
 */
function withTicks(random: Random, events: readonly EvaluatorEvent[]): EvaluatorEvent[] {
  const ticked: EvaluatorEvent[] = [];
  let previous = 0;
  for (const event of events) {
    const at = timeOf(event);
    const late = event.kind === "reading" && at <= previous;
    if (!late && event.kind !== "manualClear" && at - 1 > previous && random() < 0.5)
      ticked.push({ kind: "advance", until: previous + Math.floor(random() * (at - 1 - previous)) });
    ticked.push(event);
    if (!late) previous = Math.max(previous, at);
  }
  return ticked;
}

/** Steps form a life of one alarm at a time; a manual clear forgets it; manual mode never goes down by itself. */
function checkLifecycle(rule: AlarmRule, events: readonly EvaluatorEvent[], perEvent: readonly AlarmStep[][]): void {
  let active: Severity | null = null;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (const [i, event] of events.entries()) {
    if (event.kind === "manualClear") active = null;
    for (const step of perEvent[i] ?? []) {
      const where = `event ${i} ${JSON.stringify(event)}: ${JSON.stringify(step)}`;
      assert.ok(step.at >= lastAt, `steps in time order, ${where}`);
      lastAt = step.at;
      const rank = severityRank(step.severity);
      if (step.kind === "raised") assert.equal(active, null, `raised while one is active, ${where}`);
      else assert.notEqual(active, null, `${step.kind} with no alarm, ${where}`);
      if (step.kind === "escalated") assert.ok(rank > severityRank(active!), where);
      if (step.kind === "deescalated") assert.ok(rank < severityRank(active!), where);
      if (rule.clear.mode === "manual")
        assert.ok(step.kind === "raised" || step.kind === "escalated", `manual mode only goes up, ${where}`);
      active = step.kind === "cleared" ? null : step.severity;
    }
  }
}

test("random rules and inputs: one alarm at a time, steps in time order, the same through JSON, and the same however often the clock ticks", () => {
  let steps = 0;
  for (let seed = 1; seed <= SCENARIOS; seed++) {
    const random = prng(seed);
    const rule = randomRule(random);
    const events = randomEvents(random);
    const once = run(rule, events);
    checkLifecycle(rule, events, once.perEvent);
    const ticked = run(rule, withTicks(random, events));
    const plain = (list: AlarmStep[]) => list.map((s) => JSON.stringify(s));
    assert.deepEqual(plain(ticked.steps), plain(once.steps), `seed ${seed}: ticks between inputs change nothing (live = backtest)`);
    steps += once.steps.length;
  }
  assert.ok(steps > SCENARIOS, `the scenarios do raise alarms (${steps} steps)`);
});
