import { SerialQueue } from "../commands/serial-queue.js";
import type { EventBus } from "../events/event-bus.js";
import type { HubMetrics } from "../metrics.js";
import { AlarmAlreadyOpenError, type AlarmRepository } from "../storage/alarm-repository.js";
import type { Alarm, AlarmTransition, AlarmTransitionKind } from "./alarm.js";
import type { Actor } from "./alarm-api.js";
import { type AlarmRule, SEVERITIES, type Severity, severityRank } from "./rule.js";
import type { AlarmStep } from "./rule-evaluator.js";

/** Who `system` steps are made by (a deleted device or rule). */
export const SYSTEM_ACTOR: Actor = { by: "system", byName: "" };

export interface AlarmRecorderDeps {
  repository: AlarmRepository;
  bus: EventBus;
  metrics: HubMetrics;
  now: () => number;
}

/**
 * Writes alarm steps to the repository and announces each on the bus: the evaluator's steps, and
 * what people (and the system) do. Everything that changes the alarms of one (rule, device) runs
 * one at a time, in the order it was asked for, so at most one alarm is active per pair even when
 * steps come faster than they are written.
 *
 * It keeps the active alarms in memory (loaded at start) and applies every step against them, not
 * against what the evaluator believes: a step replayed after a crash (the evaluation state was
 * written before the alarm was) changes nothing, and a raise for a pair that already has an active
 * alarm adopts it.
 */
export class AlarmRecorder {
  private readonly queue = new SerialQueue();
  /** Active alarms by pair key. */
  private readonly active = new Map<string, Alarm>();

  constructor(private readonly deps: AlarmRecorderDeps) {}

  /** Load the active alarms (at start, before any step). */
  async load(): Promise<void> {
    this.active.clear();
    for (const alarm of await this.deps.repository.activeAlarms({})) this.active.set(pairKey(alarm.ruleId, alarm.deviceId), alarm);
  }

  /** The active alarm of a pair, as last written. */
  activeAlarm(ruleId: string, deviceId: string): Alarm | undefined {
    return this.active.get(pairKey(ruleId, deviceId));
  }

  /** Active alarms of a rule, or of a device. */
  activeOf(filter: { ruleId?: string; deviceId?: string }): Alarm[] {
    const found: Alarm[] = [];
    for (const alarm of this.active.values()) {
      if (
        (filter.ruleId === undefined || alarm.ruleId === filter.ruleId) &&
        (filter.deviceId === undefined || alarm.deviceId === filter.deviceId)
      ) {
        found.push(alarm);
      }
    }
    return found;
  }

  /** Active alarms per severity, and the active ones nobody acknowledged (for /metrics). */
  openCounts(): { bySeverity: Record<Severity, number>; unacknowledged: number } {
    const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
    let unacknowledged = 0;
    for (const alarm of this.active.values()) {
      bySeverity[alarm.severity]++;
      if (!alarm.acknowledged) unacknowledged++;
    }
    return { bySeverity, unacknowledged };
  }

  /** Run `task` in the pair's turn (after every step asked for before). */
  inTurn<T>(ruleId: string, deviceId: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(pairKey(ruleId, deviceId), task);
  }

  /** Apply the evaluator's steps for (rule, device), in order; call inside the pair's turn. */
  async applySteps(rule: AlarmRule, deviceId: string, profileId: string | null, steps: readonly AlarmStep[]): Promise<void> {
    for (const step of steps) await this.applyStep(rule, deviceId, profileId, step);
  }

  private async applyStep(rule: AlarmRule, deviceId: string, profileId: string | null, step: AlarmStep): Promise<void> {
    const key = pairKey(rule.id, deviceId);
    let active = this.active.get(key);
    // The rule's own words go in the transition's comment: the alarm's history says why each step came.
    const made = { at: step.at, by: "rule", byName: null, comment: step.message, value: step.value };
    if (step.kind === "cleared") {
      if (active) await this.write(active, { ...made, kind: "cleared", severity: active.severity });
      return;
    }
    if (!active) {
      const transition = { ...made, kind: "raised" as const, severity: step.severity };
      try {
        const alarm = await this.deps.repository.raise({
          ruleId: rule.id,
          ruleName: rule.name,
          deviceId,
          profileId,
          severity: step.severity,
          raisedAt: step.at,
          value: step.value,
          message: step.message,
          transition,
        });
        this.active.set(key, alarm);
        this.announce(alarm, { ...transition, alarmId: alarm.id, seq: 1 });
        return;
      } catch (error) {
        if (!(error instanceof AlarmAlreadyOpenError)) throw error;
        active = await this.deps.repository.activeAlarm(rule.id, deviceId);
        if (!active) throw error;
        this.active.set(key, active);
      }
    }
    // Already there: a step replayed after a restart, or a raise adopting the alarm it finds open.
    if (active.severity === step.severity) return;
    const kind = severityRank(step.severity) > severityRank(active.severity) ? "escalated" : "deescalated";
    await this.write(active, { ...made, kind, severity: step.severity }, step.message);
  }

  /**
   * Someone acknowledges an alarm (an acknowledged one is answered as it is). Call inside the pair's
   * turn, with the alarm as read in it.
   */
  async acknowledge(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm> {
    if (alarm.acknowledged) return alarm;
    return this.write(alarm, this.byActor("acknowledged", alarm.severity, actor, comment));
  }

  /** Someone (or the system) clears an alarm at `at` (hub time; a cleared one is answered as it is). Call inside the pair's turn. */
  async clear(alarm: Alarm, actor: Actor, comment: string | null, at = this.deps.now()): Promise<Alarm> {
    if (alarm.status === "cleared") return alarm;
    return this.write(alarm, this.byActor("cleared", alarm.severity, actor, comment, at));
  }

  private byActor(
    kind: AlarmTransitionKind,
    severity: Severity,
    actor: Actor,
    comment: string | null,
    at = this.deps.now(),
  ): Omit<AlarmTransition, "alarmId" | "seq"> {
    return { kind, at, severity, by: actor.by, byName: actor.byName === "" ? null : actor.byName, comment, value: null };
  }

  private async write(alarm: Alarm, step: Omit<AlarmTransition, "alarmId" | "seq">, message?: string): Promise<Alarm> {
    const { repository } = this.deps;
    const updated = await repository.transition(alarm.id, step, message);
    if (!updated) return alarm;
    const key = pairKey(updated.ruleId, updated.deviceId);
    if (updated.status === "active") this.active.set(key, updated);
    else if (this.active.get(key)?.id === updated.id) this.active.delete(key);
    // The transition's number: the newest of the alarm's (its steps are written one at a time, here).
    const transitions = await repository.transitions(updated.id);
    const written = transitions[transitions.length - 1];
    this.announce(updated, written ?? { ...step, alarmId: updated.id, seq: transitions.length });
    return updated;
  }

  private announce(alarm: Alarm, transition: AlarmTransition): void {
    this.deps.metrics.alarmTransitions.inc({ kind: transition.kind });
    this.deps.bus.publish({ type: "alarm.updated", at: this.deps.now(), alarm, transition });
  }
}

/** The key of a (rule, device) pair. */
export function pairKey(ruleId: string, deviceId: string): string {
  return `${ruleId}\u0000${deviceId}`;
}
