import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { AlarmTransition } from "../../src/alarms/alarm.js";
import type { EvaluationState } from "../../src/alarms/evaluation-state.js";
import type { RuleDefinition, Severity } from "../../src/alarms/rule.js";
import {
  AlarmAlreadyOpenError,
  type AlarmRepository,
  type NewAlarm,
  RuleVersionConflictError,
} from "../../src/storage/alarm-repository.js";

type Step = Omit<AlarmTransition, "alarmId" | "seq">;

/** A rule definition named `name` (a temperature threshold on one device). */
export function ruleDefinition(name: string, overrides: Partial<RuleDefinition> = {}): RuleDefinition {
  return {
    name,
    enabled: true,
    scope: { kind: "device", deviceId: "boiler-1" },
    condition: {
      kind: "metric",
      metric: "temperature",
      levels: [
        { severity: "warning", op: "above", value: 70, hysteresis: 2 },
        { severity: "critical", op: "above", value: 90 },
      ],
      forMs: 300_000,
    },
    clear: { mode: "auto", quietMs: 60_000 },
    reRaiseAfterMs: 900_000,
    ...overrides,
  };
}

/** What the evaluator raises: `severity` at `at` on (rule, device). */
export function newAlarm(ruleId: string, deviceId: string, at: number, severity: Severity = "warning", value = 71): NewAlarm {
  const message = `temperature ${value} above 70`;
  return {
    ruleId,
    ruleName: "hot boiler",
    deviceId,
    profileId: null,
    severity,
    raisedAt: at,
    value,
    message,
    transition: { kind: "raised", at, severity, by: "rule", byName: null, comment: null, value },
  };
}

/** An evaluator step. */
function ruleStep(kind: Step["kind"], at: number, severity: Severity, value: number | null): Step {
  return { kind, at, severity, by: "rule", byName: null, comment: null, value };
}

function state(ruleId: string, deviceId: string, watermark: number | null, detail: Record<string, unknown> = {}): EvaluationState {
  return {
    ruleId,
    deviceId,
    ruleVersion: 1,
    since: 1_000,
    watermark,
    lastValue: watermark === null ? null : 20.5,
    lastReadingAt: watermark,
    alarmId: null,
    alarmSeverity: null,
    detail,
  };
}

const byPair = (x: EvaluationState, y: EvaluationState) => `${x.ruleId}/${x.deviceId}`.localeCompare(`${y.ruleId}/${y.deviceId}`);

/**
 * The behaviour every `AlarmRepository` must have (the embedded one now, a server database later).
 * `open` gives a fresh, empty repository each time; `dispose` closes them all.
 */
export function alarmRepositoryContract(name: string, factory: { open(): Promise<AlarmRepository>; dispose(): Promise<void> }): void {
  describe(`AlarmRepository contract: ${name}`, () => {
    after(() => factory.dispose());

    test("rules: created at version 1 with a rule_ id, read back whole; updates count versions; a stale version is a conflict", async () => {
      const repo = await factory.open();
      const definition = ruleDefinition("hot boiler", { description: "the boiler room" });
      const created = await repo.createRule(definition, 1_000, "user:ada");
      assert.match(created.id, /^rule_[0-9a-z]{16}$/);
      assert.deepEqual(created, { ...definition, id: created.id, version: 1, createdAt: 1_000, updatedAt: 1_000, updatedBy: "user:ada" });
      assert.deepEqual(await repo.getRule(created.id), created);
      assert.equal(await repo.getRule("rule_nobody"), undefined);

      const changed = ruleDefinition("hotter boiler", { enabled: false, clear: { mode: "manual" } });
      const updated = await repo.updateRule(created.id, changed, 2_000, "key:k1", 1);
      assert.deepEqual(updated, { ...changed, id: created.id, version: 2, createdAt: 1_000, updatedAt: 2_000, updatedBy: "key:k1" });
      assert.equal((await repo.getRule(created.id))?.description, undefined, "a field left out of the new definition is gone");
      const conflict = await repo.updateRule(created.id, definition, 3_000, "user:ada", 1).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(conflict instanceof RuleVersionConflictError);
      assert.equal(conflict.expected, 1);
      assert.equal(conflict.current, 2);
      assert.equal((await repo.getRule(created.id))?.name, "hotter boiler", "the conflicting update changed nothing");
      const unchecked = await repo.updateRule(created.id, definition, 3_000, null);
      assert.equal(unchecked?.version, 3, "no expected version: no check");
      assert.equal(unchecked?.updatedBy, null);
      assert.equal(await repo.updateRule("rule_nobody", definition, 3_000, null), undefined);
    });

    test("rules: a whole stored rule given as the definition stores only the definition", async () => {
      const repo = await factory.open();
      const created = await repo.createRule(ruleDefinition("a"), 1_000, null);
      const updated = await repo.updateRule(
        created.id,
        { ...created, version: 99, createdAt: 5, id: "rule_other" } as RuleDefinition,
        2_000,
        null,
      );
      assert.equal(updated?.id, created.id);
      assert.equal(updated?.version, 2);
      assert.equal(updated?.createdAt, 1_000);
    });

    test("rules: listed by name then id, paged with the total; deleting one drops its states and keeps its alarms", async () => {
      const repo = await factory.open();
      const ids: Record<string, string> = {};
      for (const name of ["delta", "alpha", "charlie", "bravo", "alpha"])
        ids[name] = (await repo.createRule(ruleDefinition(name), 1_000, null)).id;
      const all = await repo.allRules();
      assert.deepEqual(
        all.map((rule) => rule.name),
        ["alpha", "alpha", "bravo", "charlie", "delta"],
      );
      const alphas = all.slice(0, 2).map((rule) => rule.id);
      assert.deepEqual(alphas, [...alphas].sort(), "the same name: by id");
      const page = await repo.listRules({ limit: 2, offset: 2 });
      assert.equal(page.total, 5);
      assert.deepEqual(
        page.items.map((rule) => rule.name),
        ["bravo", "charlie"],
      );

      const doomed = ids.delta as string;
      const kept = ids.bravo as string;
      const alarm = await repo.raise(newAlarm(doomed, "d1", 2_000));
      await repo.saveStates([state(doomed, "d1", 2_000), state(doomed, "d2", null), state(kept, "d1", 2_000)], []);
      assert.equal(await repo.deleteRule(doomed), true);
      assert.equal(await repo.deleteRule(doomed), false);
      assert.equal(await repo.getRule(doomed), undefined);
      assert.deepEqual(
        (await repo.loadStates()).map((s) => `${s.ruleId}/${s.deviceId}`),
        [`${kept}/d1`],
      );
      assert.deepEqual(await repo.getAlarm(alarm.id), alarm, "its alarm stays in history");
      assert.equal((await repo.listRules({ limit: 10, offset: 0 })).total, 4);
    });

    test("raise: the alarm with every field and its raised transition; one active alarm per rule and device", async () => {
      const repo = await factory.open();
      const alarm = await repo.raise({ ...newAlarm("rule_a", "boiler-1", 5_000), profileId: "thermostat" });
      assert.match(alarm.id, /^alm_[0-9a-z]{16}$/);
      assert.deepEqual(alarm, {
        id: alarm.id,
        ruleId: "rule_a",
        ruleName: "hot boiler",
        deviceId: "boiler-1",
        profileId: "thermostat",
        severity: "warning",
        peakSeverity: "warning",
        status: "active",
        acknowledged: false,
        raisedAt: 5_000,
        updatedAt: 5_000,
        clearedAt: null,
        clearedBy: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        value: 71,
        message: "temperature 71 above 70",
      });
      assert.deepEqual(await repo.getAlarm(alarm.id), alarm);
      assert.deepEqual(await repo.activeAlarm("rule_a", "boiler-1"), alarm);
      assert.deepEqual(await repo.transitions(alarm.id), [
        { alarmId: alarm.id, seq: 1, kind: "raised", at: 5_000, severity: "warning", by: "rule", byName: null, comment: null, value: 71 },
      ]);

      await assert.rejects(repo.raise(newAlarm("rule_a", "boiler-1", 6_000, "critical")), (error: unknown) => {
        assert.ok(error instanceof AlarmAlreadyOpenError);
        assert.equal(error.ruleId, "rule_a");
        assert.equal(error.deviceId, "boiler-1");
        return true;
      });
      assert.equal((await repo.listAlarms({ limit: 10, offset: 0 })).total, 1, "the refused raise left nothing behind");
      assert.equal((await repo.transitions(alarm.id)).length, 1);

      // Another device, another rule: their own alarms.
      const other = await repo.raise(newAlarm("rule_a", "boiler-2", 6_000));
      const otherRule = await repo.raise(newAlarm("rule_b", "boiler-1", 6_000));
      assert.notEqual(other.id, otherRule.id);

      // Cleared: a new alarm may be raised for the pair, and it is the active one.
      await repo.transition(alarm.id, ruleStep("cleared", 7_000, "warning", 65));
      assert.equal(await repo.activeAlarm("rule_a", "boiler-1"), undefined);
      const again = await repo.raise(newAlarm("rule_a", "boiler-1", 8_000, "critical", 95));
      assert.notEqual(again.id, alarm.id);
      assert.equal((await repo.activeAlarm("rule_a", "boiler-1"))?.id, again.id);
      assert.equal((await repo.getAlarm(alarm.id))?.status, "cleared");
      await assert.rejects(repo.raise(newAlarm("rule_a", "boiler-1", 9_000)), AlarmAlreadyOpenError);
    });

    test("transition: numbered in order with every field; severity, peak, value, message, cleared and acknowledged applied", async () => {
      const repo = await factory.open();
      const alarm = await repo.raise(newAlarm("rule_a", "boiler-1", 1_000));
      const escalated = await repo.transition(alarm.id, ruleStep("escalated", 2_000, "critical", 95), "temperature 95 above 90");
      assert.equal(escalated?.severity, "critical");
      assert.equal(escalated?.peakSeverity, "critical");
      assert.equal(escalated?.value, 95);
      assert.equal(escalated?.message, "temperature 95 above 90");
      assert.equal(escalated?.updatedAt, 2_000);

      const deescalated = await repo.transition(alarm.id, ruleStep("deescalated", 3_000, "warning", 80), "temperature 80 above 70");
      assert.equal(deescalated?.severity, "warning");
      assert.equal(deescalated?.peakSeverity, "critical", "the peak stays the highest reached");

      const ack: Step = {
        kind: "acknowledged",
        at: 10_000,
        severity: "warning",
        by: "user:ada",
        byName: "ada",
        comment: "on my way",
        value: null,
      };
      const acknowledged = await repo.transition(alarm.id, ack);
      assert.equal(acknowledged?.acknowledged, true);
      assert.equal(acknowledged?.acknowledgedAt, 10_000);
      assert.equal(acknowledged?.acknowledgedBy, "user:ada");
      assert.equal(acknowledged?.status, "active");
      assert.equal(acknowledged?.value, 80, "a step without a value keeps the one that moved the alarm");
      assert.equal(acknowledged?.message, "temperature 80 above 70", "a step without a message keeps it");

      // A reading's step stamped with device time before the acknowledgement: updatedAt does not go back.
      const late = await repo.transition(alarm.id, ruleStep("cleared", 4_000, "warning", 60), "temperature back to 60");
      assert.equal(late?.updatedAt, 10_000);
      assert.equal(late?.status, "cleared");
      assert.equal(late?.clearedAt, 4_000);
      assert.equal(late?.clearedBy, "rule");
      assert.equal(late?.acknowledged, true, "clearing keeps the acknowledgement");
      assert.deepEqual(await repo.getAlarm(alarm.id), late);

      assert.deepEqual(await repo.transitions(alarm.id), [
        { alarmId: alarm.id, seq: 1, kind: "raised", at: 1_000, severity: "warning", by: "rule", byName: null, comment: null, value: 71 },
        {
          alarmId: alarm.id,
          seq: 2,
          kind: "escalated",
          at: 2_000,
          severity: "critical",
          by: "rule",
          byName: null,
          comment: null,
          value: 95,
        },
        {
          alarmId: alarm.id,
          seq: 3,
          kind: "deescalated",
          at: 3_000,
          severity: "warning",
          by: "rule",
          byName: null,
          comment: null,
          value: 80,
        },
        { alarmId: alarm.id, seq: 4, ...ack },
        { alarmId: alarm.id, seq: 5, kind: "cleared", at: 4_000, severity: "warning", by: "rule", byName: null, comment: null, value: 60 },
      ]);
      assert.equal(await repo.transition("alm_nobody", ruleStep("cleared", 1, "warning", null)), undefined);
      assert.deepEqual(await repo.transitions("alm_nobody"), []);
    });

    test("transition: values of every metric type and a cleared-by-someone alarm", async () => {
      const repo = await factory.open();
      const door = await repo.raise({
        ...newAlarm("rule_door", "gate", 1_000),
        value: "open",
        transition: { ...newAlarm("rule_door", "gate", 1_000).transition, value: "open" },
      });
      assert.equal(door.value, "open");
      assert.equal((await repo.getAlarm(door.id))?.value, "open");
      assert.equal((await repo.transitions(door.id))[0]?.value, "open");
      const flag = await repo.transition(door.id, ruleStep("escalated", 2_000, "major", null));
      assert.equal(flag?.value, "open");
      const bool = await repo.transition(door.id, { ...ruleStep("escalated", 3_000, "critical", null), value: false });
      assert.equal(bool?.value, false);
      assert.equal((await repo.getAlarm(door.id))?.value, false);
      const cleared = await repo.transition(door.id, {
        kind: "cleared",
        at: 4_000,
        severity: "critical",
        by: "system",
        byName: null,
        comment: "device deleted",
        value: null,
      });
      assert.equal(cleared?.clearedBy, "system");
      assert.equal(cleared?.acknowledged, false);
      assert.equal((await repo.transitions(door.id)).at(-1)?.comment, "device deleted");
    });

    test("listAlarms: newest raised first, every filter, paging with the total", async () => {
      const repo = await factory.open();
      const a1 = await repo.raise({ ...newAlarm("rule_a", "d1", 1_000), profileId: "p1" });
      const a2 = await repo.raise(newAlarm("rule_a", "d2", 2_000, "critical"));
      const b1 = await repo.raise({ ...newAlarm("rule_b", "d1", 3_000, "major"), profileId: "p1" });
      await repo.transition(a1.id, ruleStep("cleared", 3_500, "warning", 60));
      const a1again = await repo.raise({ ...newAlarm("rule_a", "d1", 4_000), profileId: "p1" });
      await repo.transition(a2.id, {
        kind: "acknowledged",
        at: 5_000,
        severity: "critical",
        by: "user:ada",
        byName: "ada",
        comment: null,
        value: null,
      });
      // The same raise time: the one stored later is listed first.
      const b2 = await repo.raise(newAlarm("rule_b", "d2", 4_000));

      const ids = async (query: Partial<Parameters<AlarmRepository["listAlarms"]>[0]>) => {
        const { items, total } = await repo.listAlarms({ limit: 100, offset: 0, ...query });
        assert.equal(total, items.length);
        return items.map((alarm) => alarm.id);
      };
      assert.deepEqual(await ids({}), [b2.id, a1again.id, b1.id, a2.id, a1.id]);
      assert.deepEqual(await ids({ status: "cleared" }), [a1.id]);
      assert.deepEqual(await ids({ status: "active" }), [b2.id, a1again.id, b1.id, a2.id]);
      assert.deepEqual(await ids({ acknowledged: true }), [a2.id]);
      assert.deepEqual(await ids({ acknowledged: false, status: "active" }), [b2.id, a1again.id, b1.id]);
      assert.deepEqual(await ids({ severity: "critical" }), [a2.id]);
      assert.deepEqual(await ids({ deviceId: "d1" }), [a1again.id, b1.id, a1.id]);
      assert.deepEqual(await ids({ profileId: "p1" }), [a1again.id, b1.id, a1.id]);
      assert.deepEqual(await ids({ ruleId: "rule_b" }), [b2.id, b1.id]);
      assert.deepEqual(await ids({ ruleId: "rule_a", deviceId: "d1", status: "active" }), [a1again.id]);
      assert.deepEqual(await ids({ from: 2_000, to: 4_000 }), [b1.id, a2.id], "from inclusive, to exclusive");
      assert.deepEqual(await ids({ deviceId: "nobody" }), []);

      const page = await repo.listAlarms({ limit: 2, offset: 1 });
      assert.equal(page.total, 5);
      assert.deepEqual(
        page.items.map((alarm) => alarm.id),
        [a1again.id, b1.id],
      );
      const filteredPage = await repo.listAlarms({ status: "active", limit: 1, offset: 3 });
      assert.equal(filteredPage.total, 4);
      assert.deepEqual(
        filteredPage.items.map((alarm) => alarm.id),
        [a2.id],
      );
    });

    test("activeAlarms by device, by rule, both and none; openCounts has every severity", async () => {
      const repo = await factory.open();
      assert.deepEqual(await repo.openCounts(), { bySeverity: { critical: 0, major: 0, minor: 0, warning: 0 }, unacknowledged: 0 });
      const a = await repo.raise(newAlarm("rule_a", "d1", 1_000, "critical"));
      const b = await repo.raise(newAlarm("rule_b", "d1", 2_000, "critical"));
      const c = await repo.raise(newAlarm("rule_a", "d2", 3_000, "minor"));
      const d = await repo.raise(newAlarm("rule_c", "d3", 4_000));
      await repo.transition(d.id, ruleStep("cleared", 5_000, "warning", 1));
      await repo.transition(b.id, {
        kind: "acknowledged",
        at: 6_000,
        severity: "critical",
        by: "key:k",
        byName: "ci",
        comment: null,
        value: null,
      });

      const ids = (alarms: { id: string }[]) => alarms.map((alarm) => alarm.id).sort();
      assert.deepEqual(ids(await repo.activeAlarms({ deviceId: "d1" })), ids([a, b]));
      assert.deepEqual(ids(await repo.activeAlarms({ ruleId: "rule_a" })), ids([a, c]));
      assert.deepEqual(ids(await repo.activeAlarms({ ruleId: "rule_a", deviceId: "d2" })), ids([c]));
      assert.deepEqual(ids(await repo.activeAlarms({})), ids([a, b, c]));
      assert.deepEqual(await repo.activeAlarms({ deviceId: "d3" }), [], "a cleared alarm is not active");
      assert.deepEqual(await repo.openCounts(), { bySeverity: { critical: 2, major: 0, minor: 1, warning: 0 }, unacknowledged: 2 });
    });

    test("states: saved and loaded as given, upserted, removed in the same call", async () => {
      const repo = await factory.open();
      assert.deepEqual(await repo.loadStates(), []);
      const first = {
        ...state("rule_a", "d1", 5_000, { heldSince: { warning: 4_000 }, samples: [[1, 2.5]] }),
        alarmId: "alm_x",
        alarmSeverity: "warning" as const,
      };
      const second = { ...state("rule_a", "d2", null), lastValue: "open" };
      const third = { ...state("rule_b", "d1", 7_000), lastValue: true };
      await repo.saveStates([first, second, third], []);
      assert.deepEqual((await repo.loadStates()).sort(byPair), [first, second, third]);

      const moved = { ...first, watermark: 6_000, detail: { quietSince: 6_000 } };
      await repo.saveStates(
        [moved],
        [
          { ruleId: "rule_a", deviceId: "d2" },
          { ruleId: "rule_nobody", deviceId: "d1" },
        ],
      );
      assert.deepEqual((await repo.loadStates()).sort(byPair), [moved, third]);
      await repo.saveStates([], []);
      assert.equal((await repo.loadStates()).length, 2);
    });

    test("states: one save is all or nothing (a state that cannot be stored keeps the others and the removals out)", async () => {
      const repo = await factory.open();
      const kept = state("rule_a", "d1", 1_000);
      await repo.saveStates([kept], []);
      const broken = { ...state("rule_a", "d3", 3_000), ruleId: null } as unknown as EvaluationState;
      await assert.rejects(
        repo.saveStates([{ ...kept, watermark: 2_000 }, state("rule_a", "d2", 2_000), broken], [{ ruleId: "rule_a", deviceId: "d1" }]),
      );
      assert.deepEqual(await repo.loadStates(), [kept]);
    });

    test("states: thousands in one save", async () => {
      const repo = await factory.open();
      const many = Array.from({ length: 5_000 }, (_, i) => state(`rule_${i % 10}`, `device-${i}`, i));
      await repo.saveStates(many, []);
      await repo.saveStates(
        many.slice(1_000).map((s) => ({ ...s, watermark: (s.watermark ?? 0) + 1 })),
        many.slice(0, 1_000).map(({ ruleId, deviceId }) => ({ ruleId, deviceId })),
      );
      const loaded = await repo.loadStates();
      assert.equal(loaded.length, 4_000);
      assert.ok(loaded.every((s) => s.watermark === Number(s.deviceId.slice("device-".length)) + 1));
    });
  });
}
