import type Database from "better-sqlite3";
import type { Alarm, AlarmTransition } from "../../alarms/alarm.js";
import type { EvaluationState } from "../../alarms/evaluation-state.js";
import { type AlarmRule, type RuleDefinition, SEVERITIES, type Severity } from "../../alarms/rule.js";
import type { SecretFields } from "../../security/secret-fields.js";
import { generateId } from "../../security/secrets.js";
import {
  AlarmAlreadyOpenError,
  type AlarmQuery,
  type AlarmRepository,
  type NewAlarm,
  RuleVersionConflictError,
} from "../alarm-repository.js";
import {
  type AlarmRow,
  alarmFilters,
  applyStep,
  type RuleRow,
  raisedAlarm,
  type Step,
  storedDefinition,
  storedValue,
  type TransitionRow,
  toAlarm,
  toRule,
  toTransition,
} from "./alarm-rows.js";
import { FilteredPages } from "./filtered-pages.js";
import { UnsyncedTransactions } from "./unsynced-transaction.js";

/**
 * Alarm rules, alarms with their transitions and the evaluator's states in the embedded metadata
 * database. What the evaluator writes (`raise`, `transition` by `rule` or `system`, `saveStates`)
 * commits without an fsync of its own (see {@link UnsyncedTransactions}): a storm of a thousand
 * alarms must not stall the event loop for a thousand syncs. What people do is synced.
 */
export class SqliteAlarmRepository implements AlarmRepository {
  private readonly statements;
  private readonly unsynced: UnsyncedTransactions;
  private readonly alarmPages: FilteredPages<AlarmRow>;

  constructor(
    private readonly db: Database.Database,
    // Rules hold no secret values; taken like every repository of meta.db so that one can be added.
    _secrets: SecretFields,
  ) {
    this.alarmPages = new FilteredPages(db, "alarms", "raised_at DESC, rowid DESC");
    this.unsynced = new UnsyncedTransactions(db);
    this.statements = {
      rulePage: db.prepare("SELECT * FROM alarm_rules ORDER BY name, id LIMIT ? OFFSET ?"),
      ruleCount: db.prepare("SELECT COUNT(*) FROM alarm_rules").pluck(),
      allRules: db.prepare("SELECT * FROM alarm_rules ORDER BY name, id"),
      getRule: db.prepare("SELECT * FROM alarm_rules WHERE id = ?"),
      insertRule: db.prepare(
        `INSERT INTO alarm_rules (id, name, definition, version, created_at, updated_at, updated_by)
         VALUES (@id, @name, @definition, 1, @at, @at, @by)`,
      ),
      updateRule: db.prepare(
        "UPDATE alarm_rules SET name = @name, definition = @definition, version = version + 1, updated_at = @at, updated_by = @by WHERE id = @id",
      ),
      deleteRule: db.prepare("DELETE FROM alarm_rules WHERE id = ?"),
      deleteRuleStates: db.prepare("DELETE FROM alarm_states WHERE rule_id = ?"),

      insertAlarm: db.prepare(
        `INSERT INTO alarms (id, rule_id, rule_name, device_id, profile_id, severity, peak_severity, status, acknowledged, raised_at, updated_at, value, message)
         VALUES (@id, @ruleId, @ruleName, @deviceId, @profileId, @severity, @severity, 'active', 0, @raisedAt, @raisedAt, @value, @message)`,
      ),
      updateAlarm: db.prepare(
        `UPDATE alarms SET severity = @severity, peak_severity = @peakSeverity, status = @status, acknowledged = @acknowledged,
           updated_at = @updatedAt, cleared_at = @clearedAt, cleared_by = @clearedBy, acknowledged_at = @acknowledgedAt,
           acknowledged_by = @acknowledgedBy, value = @value, message = @message
         WHERE id = @id`,
      ),
      insertTransition: db.prepare(
        `INSERT INTO alarm_transitions (alarm_id, seq, kind, at, severity, by, by_name, comment, value)
         VALUES (@alarmId, @seq, @kind, @at, @severity, @by, @byName, @comment, @value)`,
      ),
      lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM alarm_transitions WHERE alarm_id = ?").pluck(),
      getAlarm: db.prepare("SELECT * FROM alarms WHERE id = ?"),
      activeAlarm: db.prepare("SELECT * FROM alarms WHERE rule_id = ? AND device_id = ? AND status = 'active'"),
      activeOfDevice: db.prepare("SELECT * FROM alarms WHERE device_id = ? AND status = 'active' ORDER BY raised_at DESC, rowid DESC"),
      activeOfRule: db.prepare("SELECT * FROM alarms WHERE rule_id = ? AND status = 'active' ORDER BY raised_at DESC, rowid DESC"),
      activeOfBoth: db.prepare(
        "SELECT * FROM alarms WHERE rule_id = ? AND device_id = ? AND status = 'active' ORDER BY raised_at DESC, rowid DESC",
      ),
      allActive: db.prepare("SELECT * FROM alarms WHERE status = 'active' ORDER BY raised_at DESC, rowid DESC"),
      transitions: db.prepare("SELECT * FROM alarm_transitions WHERE alarm_id = ? ORDER BY seq"),
      openBySeverity: db.prepare("SELECT severity, COUNT(*) AS count FROM alarms WHERE status = 'active' GROUP BY severity"),
      openUnacknowledged: db.prepare("SELECT COUNT(*) FROM alarms WHERE status = 'active' AND acknowledged = 0").pluck(),

      loadStates: db.prepare("SELECT state FROM alarm_states").pluck(),
      upsertState: db.prepare(
        `INSERT INTO alarm_states (rule_id, device_id, state) VALUES (?, ?, ?)
         ON CONFLICT (rule_id, device_id) DO UPDATE SET state = excluded.state`,
      ),
      deleteState: db.prepare("DELETE FROM alarm_states WHERE rule_id = ? AND device_id = ?"),
    };
  }

  async listRules(page: { limit: number; offset: number }): Promise<{ items: AlarmRule[]; total: number }> {
    const rows = this.statements.rulePage.all(page.limit, page.offset) as RuleRow[];
    return { items: rows.map(toRule), total: this.statements.ruleCount.get() as number };
  }

  async allRules(): Promise<AlarmRule[]> {
    return (this.statements.allRules.all() as RuleRow[]).map(toRule);
  }

  async getRule(id: string): Promise<AlarmRule | undefined> {
    const row = this.statements.getRule.get(id) as RuleRow | undefined;
    return row && toRule(row);
  }

  async createRule(definition: RuleDefinition, at: number, by: string | null): Promise<AlarmRule> {
    const id = `rule_${generateId()}`;
    this.statements.insertRule.run({ id, name: definition.name, definition: storedDefinition(definition), at, by });
    return (await this.getRule(id)) as AlarmRule;
  }

  async updateRule(
    id: string,
    definition: RuleDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<AlarmRule | undefined> {
    const row = this.db.transaction(() => {
      const current = this.statements.getRule.get(id) as RuleRow | undefined;
      if (!current) return undefined;
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new RuleVersionConflictError(id, expectedVersion, current.version);
      }
      this.statements.updateRule.run({ id, name: definition.name, definition: storedDefinition(definition), at, by });
      return this.statements.getRule.get(id) as RuleRow;
    })();
    return row && toRule(row);
  }

  async deleteRule(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.statements.deleteRuleStates.run(id);
      return this.statements.deleteRule.run(id).changes > 0;
    })();
  }

  async raise(alarm: NewAlarm): Promise<Alarm> {
    const id = `alm_${generateId()}`;
    try {
      this.unsynced.run(() => {
        this.statements.insertAlarm.run({
          id,
          ruleId: alarm.ruleId,
          ruleName: alarm.ruleName,
          deviceId: alarm.deviceId,
          profileId: alarm.profileId,
          severity: alarm.severity,
          raisedAt: alarm.raisedAt,
          value: storedValue(alarm.value),
          message: alarm.message,
        });
        this.insertTransition(id, 1, alarm.transition);
      });
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new AlarmAlreadyOpenError(alarm.ruleId, alarm.deviceId);
      throw error;
    }
    return raisedAlarm(id, alarm);
  }

  /**
   * `updatedAt` becomes the later of its old value and the step's `at` (steps mix device time and
   * hub time); `value` and `message` change only when the step brings one (an acknowledgement or a
   * manual clear keeps the value that moved the alarm).
   */
  async transition(alarmId: string, step: Step, message?: string): Promise<Alarm | undefined> {
    const apply = () => {
      const row = this.statements.getAlarm.get(alarmId) as AlarmRow | undefined;
      if (!row) return undefined;
      const alarm = applyStep(toAlarm(row), step, message);
      this.statements.updateAlarm.run({
        ...alarm,
        acknowledged: alarm.acknowledged ? 1 : 0,
        value: storedValue(alarm.value),
      });
      this.insertTransition(alarmId, (this.statements.lastSeq.get(alarmId) as number) + 1, step);
      return alarm;
    };
    return step.by === "rule" || step.by === "system" ? this.unsynced.run(apply) : this.db.transaction(apply)();
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const row = this.statements.getAlarm.get(id) as AlarmRow | undefined;
    return row && toAlarm(row);
  }

  async activeAlarm(ruleId: string, deviceId: string): Promise<Alarm | undefined> {
    const row = this.statements.activeAlarm.get(ruleId, deviceId) as AlarmRow | undefined;
    return row && toAlarm(row);
  }

  /** Newest raised first; both filters given: that pair's one. */
  async activeAlarms(filter: { deviceId?: string; ruleId?: string }): Promise<Alarm[]> {
    const { deviceId, ruleId } = filter;
    const rows =
      deviceId !== undefined && ruleId !== undefined
        ? this.statements.activeOfBoth.all(ruleId, deviceId)
        : deviceId !== undefined
          ? this.statements.activeOfDevice.all(deviceId)
          : ruleId !== undefined
            ? this.statements.activeOfRule.all(ruleId)
            : this.statements.allActive.all();
    return (rows as AlarmRow[]).map(toAlarm);
  }

  async listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }> {
    const { rows, total } = this.alarmPages.page(alarmFilters(query), query.limit, query.offset);
    return { items: rows.map(toAlarm), total };
  }

  async transitions(alarmId: string): Promise<AlarmTransition[]> {
    return (this.statements.transitions.all(alarmId) as TransitionRow[]).map(toTransition);
  }

  async openCounts(): Promise<{ bySeverity: Record<Severity, number>; unacknowledged: number }> {
    const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
    for (const row of this.statements.openBySeverity.all() as { severity: Severity; count: number }[]) {
      bySeverity[row.severity] = row.count;
    }
    return { bySeverity, unacknowledged: this.statements.openUnacknowledged.get() as number };
  }

  async loadStates(): Promise<EvaluationState[]> {
    return (this.statements.loadStates.all() as string[]).map((state) => JSON.parse(state) as EvaluationState);
  }

  async saveStates(states: readonly EvaluationState[], removed: readonly { ruleId: string; deviceId: string }[]): Promise<void> {
    if (states.length === 0 && removed.length === 0) return;
    this.unsynced.run(() => {
      for (const state of states) this.statements.upsertState.run(state.ruleId, state.deviceId, JSON.stringify(state));
      for (const pair of removed) this.statements.deleteState.run(pair.ruleId, pair.deviceId);
    });
  }

  private insertTransition(alarmId: string, seq: number, step: Step): void {
    this.statements.insertTransition.run({
      alarmId,
      seq,
      kind: step.kind,
      at: step.at,
      severity: step.severity,
      by: step.by,
      byName: step.byName,
      comment: step.comment,
      value: storedValue(step.value),
    });
  }
}
