import assert from "node:assert/strict";
import type { EvaluationState } from "../../src/alarms/evaluation-state.js";
import type { AlarmRule, EvaluationInput, RuleDefinition, Severity } from "../../src/alarms/rule.js";
import { type AlarmStep, advance, manualClear, newEvaluationState, observe } from "../../src/alarms/rule-evaluator.js";

/** One thing that happens to an evaluation: an input, the clock reaching `advance`, or a person clearing the alarm. */
export type EvaluatorEvent = EvaluationInput | { kind: "advance"; until: number } | { kind: "manualClear"; at: number };

/** A stored rule made from the parts a test cares about (defaults like the API's). */
export function ruleOf(definition: Partial<RuleDefinition> & Pick<RuleDefinition, "condition">): AlarmRule {
  return {
    name: "test rule",
    enabled: true,
    scope: { kind: "device", deviceId: "d1" },
    clear: { mode: "auto", quietMs: 0 },
    reRaiseAfterMs: 900_000,
    ...definition,
    id: "rule_test",
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    updatedBy: null,
  };
}

/** Readings of one metric: `[ts, value]` pairs. */
export function readings(...pairs: [number, number | boolean | string][]): EvaluationInput[] {
  return pairs.map(([ts, value]) => ({ kind: "reading", ts, value }));
}

export interface RunOptions {
  /** The state's `since` (default 0). */
  since?: number;
  /** Start with an active alarm of this severity, as the engine does when a rule changes under an active alarm. */
  adopt?: Severity;
}

/** Steps per event, the state between events kept like the engine keeps it (alarm ids mirrored). */
function runOnce(rule: AlarmRule, events: readonly EvaluatorEvent[], roundTrip: boolean, options: RunOptions) {
  let state: EvaluationState = newEvaluationState(rule, "d1", options.since ?? 0);
  if (options.adopt) {
    state.alarmId = "alm_adopted";
    state.alarmSeverity = options.adopt;
  }
  let alarms = 0;
  const perEvent: AlarmStep[][] = [];
  for (const event of events) {
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as EvaluationState;
    let steps: readonly AlarmStep[] = [];
    if (event.kind === "advance") steps = advance(rule, state, event.until);
    else if (event.kind === "manualClear") manualClear(rule, state, event.at);
    else steps = observe(rule, state, event);
    for (const step of steps) {
      if (step.kind === "raised") state.alarmId = `alm_${++alarms}`;
      if (step.kind === "cleared") state.alarmId = null;
    }
    perEvent.push([...steps]);
  }
  return { steps: perEvent.flat(), perEvent, state };
}

/**
 * Feed `events` to a fresh state, twice: once keeping the state in memory, once through
 * JSON.stringify/parse before every event (the durable state must carry everything); both must
 * give the same steps at the same events. Answers the steps and the final state.
 */
export function run(
  rule: AlarmRule,
  events: readonly EvaluatorEvent[],
  options: RunOptions = {},
): { steps: AlarmStep[]; perEvent: AlarmStep[][]; state: EvaluationState } {
  const inMemory = runOnce(rule, events, false, options);
  const durable = runOnce(rule, events, true, options);
  assert.deepEqual(durable.perEvent, inMemory.perEvent, "the same steps with the state through JSON between every event");
  return inMemory;
}

/** `kind@at:severity` of each step, for compact assertions. */
export function brief(steps: readonly AlarmStep[]): string[] {
  return steps.map((step) => `${step.kind}@${step.at}:${step.severity}`);
}
