import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { AlarmRecorder } from "../src/alarms/alarm-recorder.js";
import type { AlarmRule } from "../src/alarms/rule.js";
import type { AlarmStep } from "../src/alarms/rule-evaluator.js";
import { type HubEvent, InProcessEventBus } from "../src/events/event-bus.js";
import { HubMetrics } from "../src/metrics.js";
import { SqliteAlarmRepository } from "../src/storage/sqlite/sqlite-alarm-repository.js";
import { deviceRule, onMetric, TEST_ACTOR } from "./support/alarm-rules.js";
import { MetaDbs } from "./support/meta-db.js";

/**
 * After a crash the saved evaluation state may be older than the stored alarms (the state is
 * written after the step): replaying readings repeats steps already stored. The recorder applies
 * steps against the alarms it finds, so a repeat changes nothing.
 */
describe("alarm recorder: steps replayed after a crash", () => {
  const dbs = new MetaDbs();
  after(() => dbs.dispose());

  async function setUp(): Promise<{
    rule: AlarmRule;
    repository: SqliteAlarmRepository;
    restart: () => Promise<AlarmRecorder>;
    events: HubEvent[];
  }> {
    const { db, secrets } = dbs.create();
    const repository = new SqliteAlarmRepository(db, secrets);
    const rule = await repository.createRule(
      deviceRule("hot", "rec-1", onMetric("temp", [{ severity: "major", op: "above", value: 80 }])),
      1,
      null,
    );
    const bus = new InProcessEventBus();
    const events: HubEvent[] = [];
    bus.subscribe((event) => events.push(event));
    // A new recorder knows only what the repository holds: a restarted hub.
    const restart = async (): Promise<AlarmRecorder> => {
      const recorder = new AlarmRecorder({ repository, bus, metrics: new HubMetrics(), now: () => 5_000 });
      await recorder.load();
      return recorder;
    };
    return { rule, repository, restart, events };
  }

  const step = (kind: AlarmStep["kind"], at: number, severity: AlarmStep["severity"] = "major"): AlarmStep => ({
    kind,
    at,
    severity,
    value: 90,
    message: `temp 90 ${kind}`,
  });

  test("a raise replayed after a restart adopts the open alarm: no second alarm, no event", async () => {
    const { rule, repository, restart, events } = await setUp();
    const first = await restart();
    await first.inTurn(rule.id, "rec-1", () => first.applySteps(rule, "rec-1", null, [step("raised", 1_000)]));
    const second = await restart();
    await second.inTurn(rule.id, "rec-1", () => second.applySteps(rule, "rec-1", null, [step("raised", 1_000)]));
    const { items } = await repository.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    assert.equal(items.length, 1);
    assert.equal((await repository.transitions(items[0]?.id ?? "")).length, 1);
    assert.equal(events.length, 1);
  });

  test("a raise the repository refuses (an open alarm the recorder had not loaded) adopts that alarm", async () => {
    const { rule, repository, restart, events } = await setUp();
    const first = await restart();
    await first.inTurn(rule.id, "rec-1", () => first.applySteps(rule, "rec-1", null, [step("raised", 1_000)]));
    const unaware = new AlarmRecorder({ repository, bus: new InProcessEventBus(), metrics: new HubMetrics(), now: () => 5_000 });
    await unaware.inTurn(rule.id, "rec-1", () => unaware.applySteps(rule, "rec-1", null, [step("raised", 1_000)]));
    assert.equal((await repository.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 })).total, 1);
    assert.equal(unaware.activeAlarm(rule.id, "rec-1")?.id, (await repository.activeAlarm(rule.id, "rec-1"))?.id);
    assert.equal(events.length, 1);
  });

  test("a raise that finds the pair's alarm open at another severity moves it there instead", async () => {
    const { rule, repository, restart } = await setUp();
    const first = await restart();
    await first.inTurn(rule.id, "rec-1", () => first.applySteps(rule, "rec-1", null, [step("raised", 1_000, "minor")]));
    const second = await restart();
    await second.inTurn(rule.id, "rec-1", () => second.applySteps(rule, "rec-1", null, [step("raised", 2_000, "critical")]));
    const { items } = await repository.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    assert.equal(items.length, 1);
    assert.deepEqual(
      (await repository.transitions(items[0]?.id ?? "")).map((t) => [t.kind, t.severity]),
      [
        ["raised", "minor"],
        ["escalated", "critical"],
      ],
    );
  });

  test("a clear replayed after the alarm was cleared, by the rule or by someone, writes nothing", async () => {
    const { rule, repository, restart, events } = await setUp();
    const first = await restart();
    await first.inTurn(rule.id, "rec-1", () => first.applySteps(rule, "rec-1", null, [step("raised", 1_000), step("cleared", 2_000)]));
    const second = await restart();
    await second.inTurn(rule.id, "rec-1", () => second.applySteps(rule, "rec-1", null, [step("cleared", 2_000)]));
    const { items } = await repository.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    const alarm = items[0];
    assert.equal(items.length, 1);
    assert.deepEqual(
      (await repository.transitions(alarm?.id ?? "")).map((t) => t.kind),
      ["raised", "cleared"],
    );
    assert.equal(events.length, 2);
    // Someone clearing it again is answered with the alarm as it is.
    const again = await second.inTurn(rule.id, "rec-1", async () =>
      second.clear((await repository.getAlarm(alarm?.id ?? "")) ?? assert.fail(), TEST_ACTOR, "again"),
    );
    assert.equal(again.clearedBy, "rule");
    assert.equal(events.length, 2);
  });

  test("each transition is announced with its stored number, and the rule's words as its comment", async () => {
    const { rule, restart, events } = await setUp();
    const recorder = await restart();
    await recorder.inTurn(rule.id, "rec-1", () =>
      recorder.applySteps(rule, "rec-1", null, [
        step("raised", 1_000, "minor"),
        step("escalated", 2_000, "critical"),
        step("cleared", 3_000, "critical"),
      ]),
    );
    const announced = events.flatMap((event) => (event.type === "alarm.updated" ? [event.transition] : []));
    assert.deepEqual(
      announced.map((t) => [t.seq, t.kind, t.at, t.by, t.comment]),
      [
        [1, "raised", 1_000, "rule", "temp 90 raised"],
        [2, "escalated", 2_000, "rule", "temp 90 escalated"],
        [3, "cleared", 3_000, "rule", "temp 90 cleared"],
      ],
    );
  });
});
