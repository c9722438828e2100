import type { Condition, RuleDefinition, Severity } from "@telehub/hub";

/** The label every device of the alarm scenario carries: each rule selects it, so every device has every rule. */
export const FLEET_LABELS: Readonly<Record<string, string>> = { fleet: "bench" };

/**
 * The metric the scenario raises alarms with on purpose: a value above 1 raises a critical alarm
 * at once (no duration), 0 clears it at once (no quiet period). The latency rounds send their
 * send time as the raising value, so the alarm itself carries it to the receiver.
 */
export const PROBE_METRIC = "probe";

/** Every severity: the storm channel hears about all of them. */
export const ALL_SEVERITIES: readonly Severity[] = ["critical", "major", "minor", "warning"];

function fleetRule(name: string, condition: Condition): RuleDefinition {
  return {
    name,
    enabled: true,
    scope: { kind: "labels", labels: { ...FLEET_LABELS } },
    condition,
    clear: { mode: "auto", quietMs: 0 },
    reRaiseAfterMs: 900_000,
  };
}

/**
 * Ten rules per device, as a fleet of thermostats might have: the probe rule, and nine on the
 * {@link sampleReading} metrics, presence and freshness (levels, hysteresis, a range, a rate, an
 * equality, durations, no data, offline). The sample readings raise none of the nine within a
 * run (their durations are minutes of device time; a run's readings span seconds), so what the
 * rules cost is evaluating, not storing alarms.
 */
export const FLEET_RULES: readonly RuleDefinition[] = [
  fleetRule("probe above 1", {
    kind: "metric",
    metric: PROBE_METRIC,
    levels: [{ severity: "critical", op: "above", value: 1 }],
    forMs: 0,
  }),
  fleetRule("too hot", {
    kind: "metric",
    metric: "temperature",
    levels: [
      { severity: "warning", op: "above", value: 70, hysteresis: 2 },
      { severity: "critical", op: "above", value: 90, hysteresis: 2 },
    ],
    forMs: 300_000,
  }),
  fleetRule("frost", {
    kind: "metric",
    metric: "temperature",
    levels: [{ severity: "major", op: "below", value: 0, hysteresis: 1 }],
    forMs: 600_000,
  }),
  fleetRule("temperature out of range", {
    kind: "metric",
    metric: "temperature",
    levels: [{ severity: "minor", op: "outside", low: -20, high: 60, hysteresis: 1 }],
    forMs: 60_000,
  }),
  fleetRule("temperature rising fast", {
    kind: "metric",
    metric: "temperature",
    rate: { windowMs: 60_000, per: "minute" },
    levels: [{ severity: "major", op: "above", value: 5 }],
    forMs: 300_000,
  }),
  fleetRule("damp", {
    kind: "metric",
    metric: "humidity",
    levels: [{ severity: "minor", op: "above", value: 95, hysteresis: 2 }],
    forMs: 600_000,
  }),
  fleetRule("battery low", {
    kind: "metric",
    metric: "battery",
    levels: [
      { severity: "warning", op: "below", value: 3.3, hysteresis: 0.05 },
      { severity: "critical", op: "below", value: 3.1, hysteresis: 0.05 },
    ],
    forMs: 60_000,
  }),
  fleetRule("door left open", {
    kind: "metric",
    metric: "door_open",
    levels: [{ severity: "warning", op: "equals", value: true }],
    forMs: 1_800_000,
  }),
  fleetRule("no data", { kind: "noData", afterMs: 600_000, severity: "major" }),
  fleetRule("offline", { kind: "offline", afterMs: 600_000, severity: "major" }),
];

/** The storm's one rule: a device of the fleet disconnected for `afterMs`. */
export function offlineRule(afterMs: number): RuleDefinition {
  return fleetRule("offline (storm)", { kind: "offline", afterMs, severity: "major" });
}
