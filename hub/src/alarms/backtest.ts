import type { RawPoint } from "../storage/telemetry-store.js";
import { type BacktestAlarm, type BacktestResult, BacktestUnsupportedError } from "./alarm-api.js";
import { type AlarmRule, type EvaluationInput, type RuleDefinition, severityRank } from "./rule.js";
import { type AlarmStep, advance, newEvaluationState, observe } from "./rule-evaluator.js";

/** Group steps into alarms (a `raised` opens one, `cleared` ends it) with their severity spans. */
function alarmsOf(steps: readonly AlarmStep[], end: number): BacktestAlarm[] {
  const alarms: BacktestAlarm[] = [];
  let open: BacktestAlarm | undefined;
  for (const { kind, at, severity, message } of steps) {
    if (kind === "raised") {
      open = { raisedAt: at, clearedAt: null, peakSeverity: severity, steps: [], spans: [] };
      alarms.push(open);
    }
    if (!open) continue;
    open.steps.push({ kind, at, severity, message });
    if (severityRank(severity) > severityRank(open.peakSeverity)) open.peakSeverity = severity;
    const last = open.spans[open.spans.length - 1];
    if (last) last.to = at;
    if (last && last.from === at) open.spans.pop();
    if (kind === "cleared") {
      open.clearedAt = at;
      open = undefined;
    } else open.spans.push({ from: at, to: end, severity });
  }
  return alarms;
}

/**
 * Replay one device's stored readings (`points`: in ts order, any metrics) through the live
 * evaluator as a fresh state that starts watching at `range.from`: the rule's metric's readings
 * (or one `anyReading` per distinct ts for a no-data rule without a metric), then the deadlines up
 * to the range's end. When `truncated` (the points were capped), the range ends at the last point.
 * Offline rules throw {@link BacktestUnsupportedError}: the hub keeps no connection history.
 */
export function backtest(
  definition: RuleDefinition,
  deviceId: string,
  points: readonly RawPoint[],
  range: { from: number; to: number },
  truncated: boolean,
): BacktestResult {
  const { condition } = definition;
  if (condition.kind === "offline") {
    throw new BacktestUnsupportedError("offline rules cannot be backtested: the hub keeps no connection history");
  }
  const rule: AlarmRule = { ...definition, id: "backtest", version: 0, createdAt: range.from, updatedAt: range.from, updatedBy: null };
  const state = newEvaluationState(rule, deviceId, range.from);
  const end = truncated ? Math.min(Math.max(points[points.length - 1]?.ts ?? range.from, range.from), range.to) : range.to;
  const steps: AlarmStep[] = [];
  let evaluated = 0;
  let previousTs: number | undefined;
  for (const point of points) {
    if (point.ts < range.from || point.ts > end || point.ts === previousTs) continue;
    if (condition.metric !== undefined && point.metric !== condition.metric) continue;
    previousTs = point.ts;
    evaluated += 1;
    const input: EvaluationInput =
      condition.metric === undefined ? { kind: "anyReading", ts: point.ts } : { kind: "reading", ts: point.ts, value: point.value };
    steps.push(...observe(rule, state, input));
  }
  steps.push(...advance(rule, state, end));
  return { deviceId, from: range.from, to: end, points: evaluated, truncated, alarms: alarmsOf(steps, end) };
}
