import type { HubConfig } from "../config/hub-config.js";
import type { AlarmQuery, AlarmRepository } from "../storage/alarm-repository.js";
import type { DeviceRepository } from "../storage/device-repository.js";
import { selectedMetrics, type TelemetryStore } from "../storage/telemetry-store.js";
import type { Alarm, AlarmTransition } from "./alarm.js";
import { type Actor, type AlarmApi, type BacktestResult, RuleReferenceError } from "./alarm-api.js";
import { backtest } from "./backtest.js";
import type { AlarmRule, RuleDefinition, Severity } from "./rule.js";

/**
 * What the service asks of live evaluation: the `AlarmEngine` itself on a single node; in a
 * cluster, the engine of the instance holding the alarm duty, reached over NATS
 * (`RemoteAlarmControl`, docs/cluster.md).
 */
export interface AlarmControl {
  /** A rule was created or changed. */
  ruleSaved(rule: AlarmRule): void | Promise<void>;
  /** A rule was deleted: its active alarms are cleared. */
  ruleDeleted(ruleId: string): Promise<void>;
  /** A device's record changed: its rules are resolved again. */
  deviceChanged(deviceId: string): Promise<void>;
  /** A device was deleted: its active alarms are cleared. */
  deviceDeleted(deviceId: string): Promise<void>;
  /** Acknowledge an alarm in its pair's turn. */
  acknowledge(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm>;
  /** Clear an alarm in its pair's turn. */
  clear(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm>;
  /** Resolves once what was handed to the rules is evaluated and written. */
  idle(): Promise<void>;
}

export interface AlarmServiceDeps {
  repository: AlarmRepository;
  engine: AlarmControl;
  devices: Pick<DeviceRepository, "get">;
  profiles: { get(id: string): Promise<unknown> };
  telemetry: TelemetryStore;
  config: HubConfig["alarms"];
  now: () => number;
}

/**
 * What the API does with alarms: rules kept in the repository and handed to the engine, alarms
 * read from the repository, acknowledged and cleared through the engine (in their pair's turn),
 * and backtests replaying stored readings through the evaluator.
 */
export class AlarmService implements AlarmApi {
  constructor(private readonly deps: AlarmServiceDeps) {}

  listRules(page: { limit: number; offset: number }): Promise<{ items: AlarmRule[]; total: number }> {
    return this.deps.repository.listRules(page);
  }

  getRule(id: string): Promise<AlarmRule | undefined> {
    return this.deps.repository.getRule(id);
  }

  async createRule(definition: RuleDefinition, actor: Actor): Promise<AlarmRule> {
    await this.checkReferences(definition);
    const rule = await this.deps.repository.createRule(definition, this.deps.now(), actor.by);
    await this.deps.engine.ruleSaved(rule);
    return rule;
  }

  async updateRule(id: string, definition: RuleDefinition, actor: Actor, expectedVersion?: number): Promise<AlarmRule | undefined> {
    await this.checkReferences(definition);
    const rule = await this.deps.repository.updateRule(id, definition, this.deps.now(), actor.by, expectedVersion);
    if (rule) await this.deps.engine.ruleSaved(rule);
    return rule;
  }

  async deleteRule(id: string, _actor: Actor): Promise<boolean> {
    if (!(await this.deps.repository.deleteRule(id))) return false;
    await this.deps.engine.ruleDeleted(id);
    return true;
  }

  async backtest(definition: RuleDefinition, deviceId: string, from: number, to: number): Promise<BacktestResult> {
    const { condition } = definition;
    const metric = condition.kind === "offline" ? undefined : condition.metric;
    const limit = this.deps.config.maxBacktestPoints;
    // Offline rules are refused by the backtest itself, before anything is read.
    const points =
      condition.kind === "offline"
        ? []
        : await this.deps.telemetry.raw({ deviceId, metrics: selectedMetrics({ metric }), from, to, limit: limit + 1 });
    const truncated = points.length > limit;
    return backtest(definition, deviceId, truncated ? points.slice(0, limit) : points, { from, to }, truncated);
  }

  listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }> {
    return this.deps.repository.listAlarms(query);
  }

  getAlarm(id: string): Promise<Alarm | undefined> {
    return this.deps.repository.getAlarm(id);
  }

  async transitions(id: string): Promise<AlarmTransition[] | undefined> {
    if (!(await this.deps.repository.getAlarm(id))) return undefined;
    return this.deps.repository.transitions(id);
  }

  async acknowledge(id: string, actor: Actor, comment: string | null): Promise<Alarm | undefined> {
    const alarm = await this.deps.repository.getAlarm(id);
    if (!alarm) return undefined;
    return alarm.acknowledged ? alarm : this.deps.engine.acknowledge(alarm, actor, comment);
  }

  async clear(id: string, actor: Actor, comment: string | null): Promise<Alarm | undefined> {
    const alarm = await this.deps.repository.getAlarm(id);
    if (!alarm) return undefined;
    return alarm.status === "cleared" ? alarm : this.deps.engine.clear(alarm, actor, comment);
  }

  openCounts(): Promise<{ bySeverity: Record<Severity, number>; unacknowledged: number }> {
    return this.deps.repository.openCounts();
  }

  deviceDeleted(deviceId: string): Promise<void> {
    return this.deps.engine.deviceDeleted(deviceId);
  }

  deviceChanged(deviceId: string): Promise<void> {
    return this.deps.engine.deviceChanged(deviceId);
  }

  /** Resolves once every reading handed to the rules is evaluated and its steps written (tests, benchmarks). */
  idle(): Promise<void> {
    return this.deps.engine.idle();
  }

  /** A scope naming a device or profile that does not exist is refused (RuleReferenceError). */
  private async checkReferences(definition: RuleDefinition): Promise<void> {
    const { scope } = definition;
    if (scope.kind === "device" && !(await this.deps.devices.get(scope.deviceId))) {
      throw new RuleReferenceError("scope.deviceId", `no device ${scope.deviceId}`);
    }
    if (scope.kind === "profile" && !(await this.deps.profiles.get(scope.profileId))) {
      throw new RuleReferenceError("scope.profileId", `no profile ${scope.profileId}`);
    }
  }
}
