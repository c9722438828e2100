import type { MetricValue } from "@telehub/device-client/protocol";
import { backToMessage, DATA_AGAIN, levelMessage, noDataMessage, ONLINE_AGAIN, offlineMessage } from "./alarm-messages.js";
import type { EvaluationState } from "./evaluation-state.js";
import { bySeverity, comparedType, observedLevel, raises } from "./levels.js";
import { addSample, type RateSample, rateOf } from "./rate-samples.js";
import { lastIndex, type ReadingSeries } from "./reading-series.js";
import { type AlarmRule, type EvaluationInput, type Level, type MetricCondition, type Severity, severityRank } from "./rule.js";
import { NOTHING_HELD, observeStepFree } from "./step-free-series.js";

/** A step the engine must store and announce. */
export interface AlarmStep {
  kind: "raised" | "escalated" | "deescalated" | "cleared";
  /** Device time for what a reading caused, the deadline for what `advance` did, hub time for presence. */
  at: number;
  /** The alarm's severity after the step (for `cleared`: the severity it had). */
  severity: Severity;
  value: MetricValue | null;
  message: string;
}

/** What the evaluator keeps in `EvaluationState.detail` (plain JSON, null rather than undefined). */
export interface EvaluatorDetail {
  /** The level the last observation held (absent before the first: an adopted alarm's severity stands in). */
  observed?: Severity | null;
  /** The last quantity compared with the levels: the value, or its rate. */
  compared?: MetricValue | null;
  /** Per severity: the device ts since which the observed level has been at least that severe. */
  heldSince?: Partial<Record<Severity, number>>;
  /** The ts of the first reading that held nothing while an alarm was active (auto clear). */
  quietSince?: number | null;
  /** After a manual clear while the condition held: when a new alarm is raised if it still holds. */
  reRaiseAt?: number | null;
  /** Rate conditions: the samples in the window. */
  samples?: RateSample[];
  /** Offline conditions: since when the device has been disconnected (hub time), or null. */
  disconnectedAt?: number | null;
}

const detailOf = (state: EvaluationState): EvaluatorDetail => state.detail as EvaluatorDetail;
const rankOf = (severity: Severity | null | undefined): number => (severity ? severityRank(severity) : 0);

/** What most inputs cause: no step (one shared array, never changed: the hot path allocates none). */
const NO_STEPS: readonly AlarmStep[] = Object.freeze([]);

/** `first` then `then`, allocating only when both have steps. */
function followedBy(first: readonly AlarmStep[], then: readonly AlarmStep[]): readonly AlarmStep[] {
  if (then.length === 0) return first;
  if (first.length === 0) return then;
  return [...first, ...then];
}

/**
 * A fresh state. An offline rule's state starts as disconnected since `since`: the engine feeds
 * `presence connected:true` for a device that is connected when it starts watching it.
 */
export function newEvaluationState(rule: AlarmRule, deviceId: string, since: number): EvaluationState {
  return {
    ruleId: rule.id,
    deviceId,
    ruleVersion: rule.version,
    since,
    watermark: null,
    lastValue: null,
    lastReadingAt: null,
    alarmId: null,
    alarmSeverity: null,
    detail: rule.condition.kind === "offline" ? { disconnectedAt: since } : {},
  };
}

/** Whether `state` was made under `rule` as it is now (else the engine makes a new state). */
export function stateFitsRule(rule: AlarmRule, state: EvaluationState): boolean {
  return state.ruleId === rule.id && state.ruleVersion === rule.version;
}

/** Record a step: the state's mirrored severity follows it. */
function stepOf(
  state: EvaluationState,
  kind: AlarmStep["kind"],
  at: number,
  severity: Severity,
  value: MetricValue | null,
  message: string,
): AlarmStep {
  state.alarmSeverity = kind === "cleared" ? null : severity;
  return { kind, at, severity, value, message };
}

// ---- metric conditions ----

/** The most severe level held for at least `forMs` at `t`, or null. */
function targetAt(condition: MetricCondition, detail: EvaluatorDetail, t: number): Severity | null {
  const heldSince = detail.heldSince;
  if (!heldSince) return null;
  for (const { severity } of bySeverity(condition.levels)) {
    const since = heldSince[severity];
    if (since !== undefined && t - since >= condition.forMs) return severity;
  }
  return null;
}

function levelStep(condition: MetricCondition, state: EvaluationState, kind: AlarmStep["kind"], at: number, severity: Severity): AlarmStep {
  const level = condition.levels.find((l) => l.severity === severity)!;
  const compared = detailOf(state).compared ?? state.lastValue ?? 0;
  return stepOf(state, kind, at, severity, state.lastValue, levelMessage(condition, level, compared));
}

/** Move the alarm where the observations at `t` say (rules 3–5 of the contract). */
function settleMetric(rule: AlarmRule, condition: MetricCondition, state: EvaluationState, t: number): readonly AlarmStep[] {
  const detail = detailOf(state);
  const observed = detail.observed ?? null;
  const target = targetAt(condition, detail, t);
  if (detail.reRaiseAt != null) {
    if (observed === null) detail.reRaiseAt = null;
    else if (t < detail.reRaiseAt) return NO_STEPS;
    else {
      detail.reRaiseAt = null;
      return target ? [levelStep(condition, state, "raised", t, target)] : NO_STEPS;
    }
  }
  const current = state.alarmSeverity;
  if (target && rankOf(target) > rankOf(current)) {
    detail.quietSince = null;
    return [levelStep(condition, state, current === null ? "raised" : "escalated", t, target)];
  }
  if (current === null) return NO_STEPS;
  if (observed !== null) detail.quietSince = null;
  if (rule.clear.mode === "manual") return NO_STEPS;
  if (observed === null) {
    detail.quietSince ??= t;
    if (t - detail.quietSince < rule.clear.quietMs) return NO_STEPS;
    detail.quietSince = null;
    return [stepOf(state, "cleared", t, current, state.lastValue, backToMessage(condition, detail.compared ?? null))];
  }
  if (rankOf(observed) < rankOf(current) && target && rankOf(target) < rankOf(current)) {
    return [levelStep(condition, state, "deescalated", t, target)];
  }
  return NO_STEPS;
}

/** The earlier of `next` and `candidate`, leaving out a candidate at or before the watermark (acted on already). */
function earliestAfter(state: EvaluationState, next: number | null, candidate: number): number | null {
  if (state.watermark !== null && candidate <= state.watermark) return next;
  return next === null || candidate < next ? candidate : next;
}

function metricDeadline(rule: AlarmRule, condition: MetricCondition, state: EvaluationState): number | null {
  const detail = detailOf(state);
  // Most of the time no level is held and no clock runs (heldSince is empty when nothing is observed).
  if (detail.observed == null && detail.reRaiseAt == null && detail.quietSince == null) return null;
  if (detail.reRaiseAt != null) return earliestAfter(state, null, detail.reRaiseAt);
  const current = rankOf(state.alarmSeverity);
  const observed = rankOf(detail.observed);
  const goingDown = rule.clear.mode === "auto" && current > 0 && observed > 0 && observed < current;
  let next: number | null = null;
  const heldSince = detail.heldSince;
  if (heldSince && condition.forMs > 0) {
    for (const { severity } of condition.levels) {
      const since = heldSince[severity];
      const rank = rankOf(severity);
      if (since !== undefined && (rank > current || (goingDown && rank < current)))
        next = earliestAfter(state, next, since + condition.forMs);
    }
  }
  if (rule.clear.mode === "auto" && current > 0 && detail.quietSince != null)
    next = earliestAfter(state, next, detail.quietSince + rule.clear.quietMs);
  return next;
}

/** Whether a value has the type the condition compares (a string against a number threshold does not). */
function acceptsValue(condition: MetricCondition, value: MetricValue): boolean {
  return typeof value === comparedType(condition);
}

/** `heldSince` after observing `observed` at `ts`: the same object when nothing changed (the hot path allocates nothing). */
function heldSinceAfter(
  condition: MetricCondition,
  heldSince: Partial<Record<Severity, number>> | undefined,
  observed: Severity | null,
  ts: number,
): Partial<Record<Severity, number>> {
  const observedRank = rankOf(observed);
  const { levels } = condition;
  if (heldSince !== undefined) {
    let changed = false;
    for (let i = 0; i < levels.length && !changed; i++) {
      const severity = (levels[i] as Level).severity;
      changed = observedRank >= severityRank(severity) !== (heldSince[severity] !== undefined);
    }
    if (!changed) return heldSince;
  }
  if (observedRank === 0) return NOTHING_HELD;
  const next: Partial<Record<Severity, number>> = {};
  for (const { severity } of levels) {
    if (observedRank >= severityRank(severity)) next[severity] = heldSince?.[severity] ?? ts;
  }
  return next;
}

/**
 * Whether nothing is held, open or running (no level observed, no alarm, no quiet or re-raise
 * clock) and `compared` raises no level: the reading changes nothing but the last value.
 */
function quietAndStaysQuiet(condition: MetricCondition, state: EvaluationState, detail: EvaluatorDetail, compared: MetricValue): boolean {
  if (state.alarmSeverity !== null || detail.observed != null || detail.reRaiseAt != null || detail.quietSince != null) return false;
  return !raisesAny(condition.levels, compared);
}

/** Whether any of the levels raises on `value` (the quiet paths' one test of a value). */
function raisesAny(levels: readonly Level[], value: MetricValue): boolean {
  for (let i = 0; i < levels.length; i++) if (raises(levels[i] as Level, value)) return true;
  return false;
}

function observeMetric(
  rule: AlarmRule,
  condition: MetricCondition,
  state: EvaluationState,
  ts: number,
  value: MetricValue,
): readonly AlarmStep[] {
  const steps = advance(rule, state, ts);
  const detail = detailOf(state);
  state.watermark = ts;
  state.lastValue = value;
  state.lastReadingAt = ts;
  let compared: MetricValue | null = value;
  if (condition.rate) {
    detail.samples = addSample(detail.samples ?? [], ts, value as number, condition.rate.windowMs);
    compared = rateOf(detail.samples, condition.rate);
    if (compared === null) return steps;
  }
  if (quietAndStaysQuiet(condition, state, detail, compared)) {
    // What the general path below would do here, without its work: most readings of most rules.
    detail.observed = null;
    detail.compared = compared;
    detail.heldSince ??= NOTHING_HELD;
    return steps;
  }
  const previous = "observed" in detail ? (detail.observed ?? null) : state.alarmSeverity;
  const observed = observedLevel(condition.levels, compared, previous);
  detail.observed = observed;
  detail.compared = compared;
  detail.heldSince = heldSinceAfter(condition, detail.heldSince, observed, ts);
  return followedBy(steps, settleMetric(rule, condition, state, ts));
}

// ---- no data and offline ----

/** When no data raises: `afterMs` after the newest reading, or after the state began. */
function noDataDue(rule: AlarmRule & { condition: { kind: "noData" } }, state: EvaluationState): number {
  return Math.max(state.lastReadingAt ?? state.since, state.since) + rule.condition.afterMs;
}

function presenceDeadline(rule: AlarmRule, state: EvaluationState): number | null {
  const detail = detailOf(state);
  if (detail.reRaiseAt != null) return earliestAfter(state, null, detail.reRaiseAt);
  if (state.alarmSeverity !== null) return null;
  const { condition } = rule;
  if (condition.kind === "noData") return earliestAfter(state, null, noDataDue(rule as AlarmRule & { condition: typeof condition }, state));
  if (condition.kind === "offline" && detail.disconnectedAt != null)
    return earliestAfter(state, null, detail.disconnectedAt + condition.afterMs);
  return null;
}

/** What a no-data or offline deadline does at `t`: raise (also a re-raise, when its time has come). */
function settlePresence(rule: AlarmRule, state: EvaluationState, t: number): readonly AlarmStep[] {
  const { condition } = rule;
  if (condition.kind === "metric") return NO_STEPS;
  const detail = detailOf(state);
  if (detail.reRaiseAt != null) {
    if (t < detail.reRaiseAt) return NO_STEPS;
    detail.reRaiseAt = null;
  } else if (state.alarmSeverity !== null) return NO_STEPS;
  const message = condition.kind === "noData" ? noDataMessage(condition) : offlineMessage(condition.afterMs);
  return [stepOf(state, "raised", t, condition.severity, null, message)];
}

function observeData(rule: AlarmRule, state: EvaluationState, ts: number, value: MetricValue | null): readonly AlarmStep[] {
  const steps = advance(rule, state, ts);
  state.watermark = ts;
  state.lastReadingAt = ts;
  if (value !== null) state.lastValue = value;
  detailOf(state).reRaiseAt = null;
  const current = state.alarmSeverity;
  if (current !== null && rule.clear.mode === "auto") return followedBy(steps, [stepOf(state, "cleared", ts, current, value, DATA_AGAIN)]);
  return steps;
}

function observePresence(rule: AlarmRule, state: EvaluationState, connected: boolean, at: number): readonly AlarmStep[] {
  const steps = advance(rule, state, at);
  const detail = detailOf(state);
  if (!connected) {
    detail.disconnectedAt ??= at;
    return steps;
  }
  detail.disconnectedAt = null;
  detail.reRaiseAt = null;
  const current = state.alarmSeverity;
  if (current !== null && rule.clear.mode === "auto") return followedBy(steps, [stepOf(state, "cleared", at, current, null, ONLINE_AGAIN)]);
  return steps;
}

// ---- the contract ----

/** The earliest time `advance` would act, or null. */
export function nextDeadline(rule: AlarmRule, state: EvaluationState): number | null {
  const { condition } = rule;
  return condition.kind === "metric" ? metricDeadline(rule, condition, state) : presenceDeadline(rule, state);
}

/** Act on every deadline ≤ `until` (durations, no data, offline, quiet period, re-raise), in time order; mutates `state`. */
export function advance(rule: AlarmRule, state: EvaluationState, until: number): readonly AlarmStep[] {
  let steps = NO_STEPS;
  for (;;) {
    const at = nextDeadline(rule, state);
    // `!(at <= until)` also stops on NaN (a rule object missing a duration), which would never pass the watermark.
    if (at === null || !(at <= until)) return steps;
    // Every deadline is after the watermark, and acting on one moves the watermark to it: the loop ends.
    state.watermark = at;
    const { condition } = rule;
    steps = followedBy(steps, condition.kind === "metric" ? settleMetric(rule, condition, state, at) : settlePresence(rule, state, at));
  }
}

/**
 * advance(input time) first, then apply the input. A reading with ts ≤ state.watermark is late:
 * ignored, returns []. A reading of the wrong type for the rule is ignored (no step, no watermark
 * move); so are inputs the rule does not watch (presence for a metric rule, readings for an
 * offline rule, `anyReading` for a rule on one metric).
 */
export function observe(rule: AlarmRule, state: EvaluationState, input: EvaluationInput): readonly AlarmStep[] {
  const { condition } = rule;
  if (input.kind === "presence") return condition.kind === "offline" ? observePresence(rule, state, input.connected, input.at) : NO_STEPS;
  if (condition.kind === "offline") return NO_STEPS;
  if (state.watermark !== null && input.ts <= state.watermark) return NO_STEPS;
  if (condition.kind === "noData") {
    if (input.kind === "anyReading" && condition.metric !== undefined) return NO_STEPS;
    return observeData(rule, state, input.ts, input.kind === "reading" ? input.value : null);
  }
  if (input.kind !== "reading" || !acceptsValue(condition, input.value)) return NO_STEPS;
  return observeMetric(rule, condition, state, input.ts, input.value);
}

/**
 * `observe` each reading of the series in turn: the same steps and the same state. When nothing
 * can happen before the last reading (the pair is quiet and stays quiet: see {@link quietUntilLast}),
 * only its effect on the state is applied: most batches of most rules. When no step can come of
 * the series at all, a metric rule follows it in scratch arrays ({@link observeStepFree}): a value
 * crossing a threshold back and forth within a duration, a rate.
 */
export function observeSeries(rule: AlarmRule, state: EvaluationState, series: ReadingSeries): readonly AlarmStep[] {
  const { ts, values } = series;
  const last = lastIndex(series);
  if (last < 0) return NO_STEPS;
  let from = 0;
  if (quietUntilLast(rule, state, series)) {
    const { condition } = rule;
    if (condition.kind === "noData") {
      // What observeData does for each reading when no deadline passes and no alarm is open.
      state.watermark = ts[last] as number;
      state.lastReadingAt = ts[last] as number;
      if (values !== undefined) state.lastValue = values[last] as MetricValue;
      detailOf(state).reRaiseAt = null;
      return NO_STEPS;
    }
    from = last;
  } else if (rule.condition.kind === "metric" && observeStepFree(rule.condition, state, series)) return NO_STEPS;
  let steps = NO_STEPS;
  for (let i = from; i <= last; i++) {
    let input: EvaluationInput;
    if (values === undefined) {
      ANY_READING.ts = ts[i] as number;
      input = ANY_READING;
    } else {
      READING.ts = ts[i] as number;
      READING.value = values[i] as MetricValue;
      input = READING;
    }
    steps = followedBy(steps, observe(rule, state, input));
  }
  return steps;
}

// The inputs observeSeries hands to observe, one at a time (observe keeps none): reused.
const READING = { kind: "reading" as const, ts: 0, value: 0 as MetricValue };
const ANY_READING = { kind: "anyReading" as const, ts: 0 };

/**
 * Whether observing the series' readings before its last one can only overwrite what the last
 * one overwrites (stamps, last value): the stamps rise, every reading is of a type the rule takes,
 * no alarm is open and no re-raise clock runs, and: a threshold rule (not a rate) observes no level
 * and no value before the last raises one; a no-data rule's deadline passes at none of them.
 */
function quietUntilLast(rule: AlarmRule, state: EvaluationState, series: ReadingSeries): boolean {
  const { condition } = rule;
  const detail = detailOf(state);
  if (state.alarmSeverity !== null || detail.reRaiseAt != null || condition.kind === "offline") return false;
  const { ts, values } = series;
  const last = lastIndex(series);
  // Number(): a plain number, which the compiler keeps unboxed in the loops (a boxed one allocates per reading).
  let previous = Number(state.watermark ?? Number.NEGATIVE_INFINITY);
  if (condition.kind === "noData") {
    if (condition.metric !== undefined && values === undefined) return false;
    let since = Math.max(state.lastReadingAt ?? state.since, state.since);
    for (let i = 0; i <= last; i++) {
      const at = ts[i] as number;
      if (at <= previous || since + condition.afterMs <= at) return false;
      previous = at;
      since = at;
    }
    return true;
  }
  if (condition.rate || values === undefined || detail.observed != null || detail.quietSince != null) return false;
  const { levels } = condition;
  const type = comparedType(condition);
  for (let i = 0; i <= last; i++) {
    const at = ts[i] as number;
    const value = values[i] as MetricValue;
    if (at <= previous || typeof value !== type) return false;
    if (i < last && raisesAny(levels, value)) return false;
    previous = at;
  }
  return true;
}

/** Whether the rule's condition holds now, as far as the state knows. */
function conditionHolds(rule: AlarmRule, state: EvaluationState): boolean {
  const detail = detailOf(state);
  switch (rule.condition.kind) {
    case "metric":
      return (detail.observed ?? null) !== null;
    case "noData":
      return state.watermark !== null && noDataDue(rule as AlarmRule & { condition: { kind: "noData" } }, state) <= state.watermark;
    case "offline":
      return detail.disconnectedAt != null;
  }
}

/**
 * An operator cleared the alarm at `at` (hub time): state forgets the alarm; if the condition still
 * holds, the re-raise clock starts (a new alarm at `at + reRaiseAfterMs` if it holds then; never
 * at or before the watermark).
 */
export function manualClear(rule: AlarmRule, state: EvaluationState, at: number): void {
  const detail = detailOf(state);
  const hadAlarm = state.alarmSeverity !== null || state.alarmId !== null;
  state.alarmSeverity = null;
  state.alarmId = null;
  detail.quietSince = null;
  if (!hadAlarm) return;
  detail.reRaiseAt = conditionHolds(rule, state) ? Math.max(at + rule.reRaiseAfterMs, (state.watermark ?? at) + 1) : null;
}
