import type { Alarm } from "../../src/alarms/alarm.js";
import type { Actor, AlarmApi } from "../../src/alarms/alarm-api.js";
import type { Condition, Level, RuleDefinition } from "../../src/alarms/rule.js";

/** Who the tests act as on alarms. */
export const TEST_ACTOR: Actor = { by: "user:tester", byName: "tester" };

/** A rule on one device with the definition's defaults (enabled, auto clear at once, re-raise after 15 min). */
export function deviceRule(name: string, deviceId: string, condition: Condition, overrides: Partial<RuleDefinition> = {}): RuleDefinition {
  return {
    name,
    enabled: true,
    scope: { kind: "device", deviceId },
    condition,
    clear: { mode: "auto", quietMs: 0 },
    reRaiseAfterMs: 900_000,
    ...overrides,
  };
}

/** A metric condition: `levels` on `metric`, held `forMs` before raising. */
export function onMetric(metric: string, levels: Level[], forMs = 0): Condition {
  return { kind: "metric", metric, levels, forMs };
}

/** A step as the backtest states it, for comparing live alarms with a backtest. */
export interface StepSeen {
  kind: string;
  at: number;
  severity: string;
  message: string | null;
}

/** The alarms of (rule, device), oldest first. */
export async function alarmsOf(alarms: AlarmApi, ruleId: string, deviceId: string): Promise<Alarm[]> {
  const { items } = await alarms.listAlarms({ ruleId, deviceId, limit: 1_000, offset: 0 });
  return items.sort((a, b) => a.raisedAt - b.raisedAt);
}

/** Every step the rule itself made on the device's alarms (raised … cleared), oldest first: the transition's comment is the rule's message. */
export async function ruleStepsOf(alarms: AlarmApi, ruleId: string, deviceId: string): Promise<StepSeen[]> {
  const steps: StepSeen[] = [];
  for (const alarm of await alarmsOf(alarms, ruleId, deviceId)) {
    for (const transition of (await alarms.transitions(alarm.id)) ?? []) {
      if (transition.by !== "rule") continue;
      steps.push({ kind: transition.kind, at: transition.at, severity: transition.severity, message: transition.comment });
    }
  }
  return steps;
}
