import type { BacktestResult } from "../../src/alarms/alarm-api.js";

/** A temperature condition with two levels: major above 50, critical above 80 (the API tests' rule). */
export const TOO_HOT_CONDITION = {
  kind: "metric",
  metric: "temperature",
  levels: [
    { severity: "major", op: "above", value: 50 },
    { severity: "critical", op: "above", value: 80 },
  ],
} as const;

/**
 * A device history (ms before `t0`, temperature and another metric) for {@link TOO_HOT_CONDITION}:
 * raised major, escalated, de-escalated, cleared, then raised critical and still active.
 */
export function tooHotHistory(t0: number): [number, Record<string, number>][] {
  return [
    [t0 - 100_000, { temperature: 40, humidity: 99 }],
    [t0 - 90_000, { temperature: 60 }],
    [t0 - 80_000, { temperature: 85, humidity: 10 }],
    [t0 - 70_000, { temperature: 70 }],
    [t0 - 60_000, { temperature: 30 }],
    [t0 - 50_000, { temperature: 90 }],
  ];
}

/** What a backtest of {@link TOO_HOT_CONDITION} over {@link tooHotHistory} ending at `to` answers, summarised by {@link summariseBacktest}. */
export function tooHotBacktest(t0: number, to: number) {
  return [
    {
      raisedAt: t0 - 90_000,
      clearedAt: t0 - 60_000,
      peakSeverity: "critical",
      steps: [
        ["raised", t0 - 90_000, "major"],
        ["escalated", t0 - 80_000, "critical"],
        ["deescalated", t0 - 70_000, "major"],
        ["cleared", t0 - 60_000, "major"],
      ],
      spans: [
        { from: t0 - 90_000, to: t0 - 80_000, severity: "major" },
        { from: t0 - 80_000, to: t0 - 70_000, severity: "critical" },
        { from: t0 - 70_000, to: t0 - 60_000, severity: "major" },
      ],
    },
    {
      raisedAt: t0 - 50_000,
      clearedAt: null,
      peakSeverity: "critical",
      steps: [["raised", t0 - 50_000, "critical"]],
      spans: [{ from: t0 - 50_000, to, severity: "critical" }],
    },
  ];
}

/** A backtest's alarms without the messages: when, which step, which severity. */
export function summariseBacktest(result: BacktestResult) {
  return result.alarms.map((alarm) => ({
    raisedAt: alarm.raisedAt,
    clearedAt: alarm.clearedAt,
    peakSeverity: alarm.peakSeverity,
    steps: alarm.steps.map((step) => [step.kind, step.at, step.severity]),
    spans: alarm.spans,
  }));
}
