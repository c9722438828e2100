import type { MetricValue } from "@telehub/device-client/protocol";
import type { EvaluationState } from "./evaluation-state.js";
import { comparedType, observedLevel } from "./levels.js";
import { RateWindow } from "./rate-samples.js";
import { lastIndex, type ReadingSeries } from "./reading-series.js";
import { type Level, type MetricCondition, SEVERITIES, type Severity, severityRank } from "./rule.js";
import type { EvaluatorDetail } from "./rule-evaluator.js";

/** `heldSince` when no level is held: one shared object, never changed (a change makes a new one). */
export const NOTHING_HELD: Partial<Record<Severity, number>> = Object.freeze({});

// Scratch for one call (the evaluator never yields inside one): reused, so a series allocates nothing per reading.
/** Per level (in the condition's order): since when it has been held, NaN when not. */
const held = new Float64Array(SEVERITIES.length);
const samples = new RateWindow();

/**
 * Observe a metric rule's series at once when no step can come of it, as `observe` would reading
 * by reading, and say so; otherwise return false with the state untouched (the caller observes
 * each reading). No step can come when no alarm is open, no re-raise or quiet clock runs, the rule
 * has a duration, the stamps rise past the watermark, every value is of the type the rule compares,
 * and no level is held for that duration by any of the series' stamps.
 *
 * This is the path of a value that goes back and forth over a threshold with a duration (a door
 * sensor), and of a rate rule, on every batch: the level sequence, the `heldSince` clocks and the
 * rate samples are followed in scratch arrays and written to the state once.
 */
export function observeStepFree(condition: MetricCondition, state: EvaluationState, series: ReadingSeries): boolean {
  const detail = state.detail as EvaluatorDetail;
  const { ts, values } = series;
  const { levels, forMs, rate } = condition;
  const last = lastIndex(series);
  if (
    values === undefined ||
    last < 0 ||
    !(forMs > 0) ||
    state.alarmSeverity !== null ||
    detail.reRaiseAt != null ||
    detail.quietSince != null
  ) {
    return false;
  }
  const type = comparedType(condition);
  const before = detail.heldSince;
  for (let k = 0; k < levels.length; k++) held[k] = before?.[(levels[k] as Level).severity] ?? Number.NaN;
  if (rate) samples.load(detail.samples);
  let observed = detail.observed ?? null;
  // The last value compared with the levels: a reading's (its index) or a rate (a plain number, not
  // a MetricValue, which would box every rate computed).
  let comparedAt = -1;
  let comparedRate = 0;
  // Number(): a plain number, which the compiler keeps unboxed in the loop (a boxed one allocates per reading).
  let previous = Number(state.watermark ?? Number.NEGATIVE_INFINITY);
  for (let i = 0; i <= last; i++) {
    const at = ts[i] as number;
    const value = values[i] as MetricValue;
    if (!(at > previous) || typeof value !== type) return false;
    previous = at;
    // A level held for the duration by `at` would step here (a deadline passed, or the level reached).
    for (let k = 0; k < levels.length; k++) if ((held[k] as number) + forMs <= at) return false;
    if (rate) {
      samples.add(at, value as number, rate.windowMs);
      const perUnit = samples.rate(rate.per);
      if (Number.isNaN(perUnit)) continue;
      comparedRate = perUnit;
      observed = observedLevel(levels, comparedRate, observed);
    } else observed = observedLevel(levels, value, observed);
    comparedAt = i;
    const rank = observed === null ? 0 : severityRank(observed);
    for (let k = 0; k < levels.length; k++) {
      if (rank < severityRank((levels[k] as Level).severity)) held[k] = Number.NaN;
      else if (Number.isNaN(held[k])) held[k] = at;
    }
  }
  state.watermark = ts[last] as number;
  state.lastValue = values[last] as MetricValue;
  state.lastReadingAt = ts[last] as number;
  if (rate) detail.samples = samples.store(detail.samples ?? []);
  if (comparedAt >= 0) {
    detail.observed = observed;
    detail.compared = rate ? comparedRate : (values[comparedAt] as MetricValue);
    detail.heldSince = heldSinceOf(levels, before);
  }
  return true;
}

/** The scratch clocks as a `heldSince`: the one before when it says the same (as `heldSinceAfter` keeps it). */
function heldSinceOf(levels: readonly Level[], before: Partial<Record<Severity, number>> | undefined): Partial<Record<Severity, number>> {
  let same = before !== undefined;
  let any = false;
  for (let k = 0; k < levels.length; k++) {
    const since = held[k] as number;
    const was = before?.[(levels[k] as Level).severity];
    const holds = !Number.isNaN(since);
    if (holds) any = true;
    if (holds ? was !== since : was !== undefined) same = false;
  }
  if (same) return before as Partial<Record<Severity, number>>;
  if (!any) return NOTHING_HELD;
  const next: Partial<Record<Severity, number>> = {};
  for (let k = 0; k < levels.length; k++) {
    const since = held[k] as number;
    if (!Number.isNaN(since)) next[(levels[k] as Level).severity] = since;
  }
  return next;
}
