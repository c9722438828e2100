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
} from "../sqlite/alarm-rows.js";
import type { PgDatabase, PgQueryable } from "./pg-database.js";
import { PgFilteredPages, timeBound, whereClause } from "./pg-filtered-pages.js";
import { unsyncedTransaction } from "./pg-unsynced.js";
import { isUniqueViolation } from "./pg-violations.js";

/**
 * Alarm rules, alarms with their transitions and the evaluator's states in PostgreSQL. At most
 * one active alarm per (rule, device) is the partial unique index `alarms_one_active`: of two
 * instances raising the same alarm at once, one raises it and the other gets
 * {@link AlarmAlreadyOpenError}. A transition locks its alarm's row, so steps of one alarm are
 * numbered in the order they are applied. What the evaluator writes (`raise`, `transition` by
 * `rule` or `system`, `saveStates`) commits unsynced ({@link unsyncedTransaction}), as on meta.db.
 */
export class PgAlarmRepository implements AlarmRepository {
  private readonly alarmPages: PgFilteredPages<AlarmRow>;

  constructor(
    private readonly db: PgDatabase,
    // Rules hold no secret values; taken like every repository of the metadata so that one can be added.
    _secrets: SecretFields,
  ) {
    this.alarmPages = new PgFilteredPages(db, "alarms", "raised_at DESC, seq DESC");
  }

  async listRules(page: { limit: number; offset: number }): Promise<{ items: AlarmRule[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.query<RuleRow>("SELECT * FROM alarm_rules ORDER BY name, id LIMIT $1 OFFSET $2", [page.limit, page.offset]),
      this.db.query<{ total: number }>("SELECT COUNT(*) AS total FROM alarm_rules"),
    ]);
    return { items: rows.rows.map(toRule), total: count.rows[0]?.total ?? 0 };
  }

  async allRules(): Promise<AlarmRule[]> {
    return (await this.db.query<RuleRow>("SELECT * FROM alarm_rules ORDER BY name, id")).rows.map(toRule);
  }

  async getRule(id: string): Promise<AlarmRule | undefined> {
    const row = (await this.db.query<RuleRow>("SELECT * FROM alarm_rules WHERE id = $1", [id])).rows[0];
    return row && toRule(row);
  }

  async createRule(definition: RuleDefinition, at: number, by: string | null): Promise<AlarmRule> {
    const { rows } = await this.db.query<RuleRow>(
      `INSERT INTO alarm_rules (id, name, definition, version, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, 1, $4, $4, $5) RETURNING *`,
      [`rule_${generateId()}`, definition.name, storedDefinition(definition), at, by],
    );
    return toRule(rows[0] as RuleRow);
  }

  async updateRule(
    id: string,
    definition: RuleDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<AlarmRule | undefined> {
    const row = await this.db.transaction(async (tx) => {
      const current = (await tx.query<RuleRow>("SELECT * FROM alarm_rules WHERE id = $1 FOR UPDATE", [id])).rows[0];
      if (!current) return undefined;
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new RuleVersionConflictError(id, expectedVersion, current.version);
      }
      const { rows } = await tx.query<RuleRow>(
        `UPDATE alarm_rules SET name = $2, definition = $3, version = version + 1, updated_at = $4, updated_by = $5
         WHERE id = $1 RETURNING *`,
        [id, definition.name, storedDefinition(definition), at, by],
      );
      return rows[0];
    });
    return row && toRule(row);
  }

  async deleteRule(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM alarm_states WHERE rule_id = $1", [id]);
      return (await tx.query("DELETE FROM alarm_rules WHERE id = $1", [id])).rowCount > 0;
    });
  }

  async raise(alarm: NewAlarm): Promise<Alarm> {
    const id = `alm_${generateId()}`;
    try {
      await unsyncedTransaction(this.db, async (tx) => {
        await tx.query(
          `INSERT INTO alarms (id, rule_id, rule_name, device_id, profile_id, severity, peak_severity, status, acknowledged, raised_at, updated_at, value, message)
           VALUES ($1, $2, $3, $4, $5, $6, $6, 'active', 0, $7, $7, $8, $9)`,
          [
            id,
            alarm.ruleId,
            alarm.ruleName,
            alarm.deviceId,
            alarm.profileId,
            alarm.severity,
            alarm.raisedAt,
            storedValue(alarm.value),
            alarm.message,
          ],
        );
        await insertTransition(tx, id, 1, alarm.transition);
      });
    } catch (error) {
      if (isUniqueViolation(error, "alarms_one_active")) throw new AlarmAlreadyOpenError(alarm.ruleId, alarm.deviceId);
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
    const apply = async (tx: PgQueryable) => {
      const row = (await tx.query<AlarmRow>("SELECT * FROM alarms WHERE id = $1 FOR UPDATE", [alarmId])).rows[0];
      if (!row) return undefined;
      const alarm = applyStep(toAlarm(row), step, message);
      await tx.query(
        `UPDATE alarms SET severity = $2, peak_severity = $3, status = $4, acknowledged = $5, updated_at = $6, cleared_at = $7,
           cleared_by = $8, acknowledged_at = $9, acknowledged_by = $10, value = $11, message = $12
         WHERE id = $1`,
        [
          alarmId,
          alarm.severity,
          alarm.peakSeverity,
          alarm.status,
          alarm.acknowledged ? 1 : 0,
          alarm.updatedAt,
          alarm.clearedAt,
          alarm.clearedBy,
          alarm.acknowledgedAt,
          alarm.acknowledgedBy,
          storedValue(alarm.value),
          alarm.message,
        ],
      );
      const { rows } = await tx.query<{ last: number }>("SELECT COALESCE(MAX(seq), 0) AS last FROM alarm_transitions WHERE alarm_id = $1", [
        alarmId,
      ]);
      await insertTransition(tx, alarmId, (rows[0]?.last ?? 0) + 1, step);
      return alarm;
    };
    return step.by === "rule" || step.by === "system" ? unsyncedTransaction(this.db, apply) : this.db.transaction(apply);
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const row = (await this.db.query<AlarmRow>("SELECT * FROM alarms WHERE id = $1", [id])).rows[0];
    return row && toAlarm(row);
  }

  async activeAlarm(ruleId: string, deviceId: string): Promise<Alarm | undefined> {
    const { rows } = await this.db.query<AlarmRow>("SELECT * FROM alarms WHERE rule_id = $1 AND device_id = $2 AND status = 'active'", [
      ruleId,
      deviceId,
    ]);
    return rows[0] && toAlarm(rows[0]);
  }

  /** Newest raised first; both filters given: that pair's one. */
  async activeAlarms(filter: { deviceId?: string; ruleId?: string }): Promise<Alarm[]> {
    const { where, values } = whereClause(
      [
        ["device_id = ?", filter.deviceId],
        ["rule_id = ?", filter.ruleId],
      ],
      ["status = 'active'"],
    );
    const { rows } = await this.db.query<AlarmRow>(`SELECT * FROM alarms ${where} ORDER BY raised_at DESC, seq DESC`, values);
    return rows.map(toAlarm);
  }

  async listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }> {
    const { rows, total } = await this.alarmPages.page(
      alarmFilters({ ...query, from: timeBound(query.from), to: timeBound(query.to) }),
      query.limit,
      query.offset,
    );
    return { items: rows.map(toAlarm), total };
  }

  async transitions(alarmId: string): Promise<AlarmTransition[]> {
    const { rows } = await this.db.query<TransitionRow>("SELECT * FROM alarm_transitions WHERE alarm_id = $1 ORDER BY seq", [alarmId]);
    return rows.map(toTransition);
  }

  async openCounts(): Promise<{ bySeverity: Record<Severity, number>; unacknowledged: number }> {
    const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
    const { rows } = await this.db.query<{ severity: Severity; count: number; unacknowledged: number }>(
      `SELECT severity, COUNT(*) AS count, COUNT(*) FILTER (WHERE acknowledged = 0) AS unacknowledged
       FROM alarms WHERE status = 'active' GROUP BY severity`,
    );
    let unacknowledged = 0;
    for (const row of rows) {
      bySeverity[row.severity] = row.count;
      unacknowledged += row.unacknowledged;
    }
    return { bySeverity, unacknowledged };
  }

  async loadStates(): Promise<EvaluationState[]> {
    const { rows } = await this.db.query<{ state: string }>("SELECT state FROM alarm_states");
    return rows.map((row) => JSON.parse(row.state) as EvaluationState);
  }

  /** Upserts, then removals, in one statement each: a pair in both is removed; a pair given twice keeps the last state given. */
  async saveStates(states: readonly EvaluationState[], removed: readonly { ruleId: string; deviceId: string }[]): Promise<void> {
    if (states.length === 0 && removed.length === 0) return;
    // One upsert may not touch a row twice: the last state given for a pair wins, as one statement at a time would.
    const latest = new Map(states.map((state) => [`${state.ruleId}\u0000${state.deviceId}`, state]));
    await unsyncedTransaction(this.db, async (tx) => {
      if (latest.size > 0) {
        const upserted = [...latest.values()];
        await tx.query(
          `INSERT INTO alarm_states (rule_id, device_id, state)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
           ON CONFLICT (rule_id, device_id) DO UPDATE SET state = excluded.state`,
          [upserted.map((state) => state.ruleId), upserted.map((state) => state.deviceId), upserted.map((state) => JSON.stringify(state))],
        );
      }
      if (removed.length > 0) {
        await tx.query("DELETE FROM alarm_states WHERE (rule_id, device_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))", [
          removed.map((pair) => pair.ruleId),
          removed.map((pair) => pair.deviceId),
        ]);
      }
    });
  }
}

function insertTransition(tx: PgQueryable, alarmId: string, seq: number, step: Step): Promise<unknown> {
  return tx.query(
    `INSERT INTO alarm_transitions (alarm_id, seq, kind, at, severity, by, by_name, comment, value)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [alarmId, seq, step.kind, step.at, step.severity, step.by, step.byName, step.comment, storedValue(step.value)],
  );
}
