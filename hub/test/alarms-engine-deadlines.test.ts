import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AlarmRule, RuleDefinition } from "../src/alarms/rule.js";
import { alarmsOf, deviceRule, onMetric, TEST_ACTOR } from "./support/alarm-rules.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { TestFleet } from "./support/test-fleet.js";

/** Short clocks: the timer looks at deadlines every 20 ms, 1 ms after they pass. */
const AFTER_MS = 300;

describe("alarm engine: deadlines on the hub's clock", () => {
  let running: RunningHub;
  let fleet: TestFleet;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, alarms: { tickMs: 20, lateGraceMs: 1, stateFlushMs: 50 } });
    fleet = new TestFleet(running);
  });
  after(() => running.dispose());

  function createRule(definition: RuleDefinition): Promise<AlarmRule> {
    return running.hub.alarms.createRule(definition, TEST_ACTOR);
  }

  async function openAlarm(rule: AlarmRule, deviceId: string, count = 1) {
    await eventually(async () => (await alarmsOf(running.hub.alarms, rule.id, deviceId)).length >= count, `alarm ${count} of ${rule.name}`);
    const alarms = await alarmsOf(running.hub.alarms, rule.id, deviceId);
    return alarms[count - 1] as NonNullable<(typeof alarms)[number]>;
  }

  test("a duration in progress raises at its deadline, stamped with it, without another reading", async () => {
    const device = await fleet.connect("dl-duration");
    const rule = await createRule(
      deviceRule("hot", "dl-duration", onMetric("temp", [{ severity: "major", op: "above", value: 80 }], AFTER_MS)),
    );
    const ts = Date.now();
    device.send({ t: "batch", seq: 1, r: [{ ts, m: { temp: 85 } }] });
    await device.ackFor(1);
    const alarm = await openAlarm(rule, "dl-duration");
    assert.equal(alarm.raisedAt, ts + AFTER_MS);
    assert.equal(alarm.message, "temp 85 above 80 for 300 ms");
    device.close();
  });

  test("no data raises afterMs past the newest reading and clears with the next one", async () => {
    const device = await fleet.connect("dl-nodata");
    const rule = await createRule(deviceRule("quiet", "dl-nodata", { kind: "noData", afterMs: AFTER_MS, severity: "minor" }));
    const ts = Date.now();
    device.send({ t: "batch", seq: 1, r: [{ ts, m: { anything: 1 } }] });
    await device.ackFor(1);
    const alarm = await openAlarm(rule, "dl-nodata");
    assert.equal(alarm.raisedAt, ts + AFTER_MS);
    const again = Date.now();
    device.send({ t: "batch", seq: 2, r: [{ ts: again, m: { other: 2 } }] });
    await device.ackFor(2);
    await eventually(async () => (await running.hub.alarms.getAlarm(alarm.id))?.status === "cleared", "cleared by data");
    assert.equal((await running.hub.alarms.getAlarm(alarm.id))?.clearedAt, again);
    device.close();
  });

  test("offline raises afterMs after the disconnection and clears when the device is back", async () => {
    const device = await fleet.connect("dl-offline");
    const rule = await createRule(deviceRule("gone", "dl-offline", { kind: "offline", afterMs: AFTER_MS, severity: "major" }));
    await running.hub.alarms.idle();
    const before = Date.now();
    device.close();
    const alarm = await openAlarm(rule, "dl-offline");
    assert.ok(alarm.raisedAt >= before + AFTER_MS, "not before afterMs of absence");
    assert.equal(alarm.message, "offline for 300 ms");
    const back = await fleet.connect("dl-offline");
    await eventually(async () => (await running.hub.alarms.getAlarm(alarm.id))?.status === "cleared", "cleared on reconnection");
    assert.equal(((await running.hub.alarms.transitions(alarm.id)) ?? []).at(-1)?.comment, "online again");
    back.close();
  });

  test("a device whose clock is a minute behind: a short spike raises nothing, a sustained value does", async () => {
    const token = await fleet.register("dl-skewed");
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "dl-skewed", token });
    if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
    const behindMs = 60_000;
    // Its readings arrive a minute after their stamps: on the hub's clock every duration would be over at once.
    await device.hello({ time: Date.now() - behindMs });
    const forMs = 3_000;
    const rule = await createRule(
      deviceRule("hot, skewed", "dl-skewed", onMetric("temp", [{ severity: "major", op: "above", value: 80 }], forMs)),
    );
    const spikeAt = Date.now() - behindMs;
    device.send({ t: "batch", seq: 1, r: [{ ts: spikeAt, m: { temp: 85 } }] });
    await device.ackFor(1);
    await running.hub.alarms.idle();
    // Several ticks (20 ms) pass before the spike's end arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    device.send({ t: "batch", seq: 2, r: [{ ts: spikeAt + 100, m: { temp: 70 } }] });
    await device.ackFor(2);
    await running.hub.alarms.idle();
    assert.deepEqual(await alarmsOf(running.hub.alarms, rule.id, "dl-skewed"), [], "the spike ended within forMs on the device's clock");
    const hotAt = Date.now() - behindMs;
    device.send({ t: "batch", seq: 3, r: [{ ts: hotAt, m: { temp: 90 } }] });
    await device.ackFor(3);
    const alarm = await openAlarm(rule, "dl-skewed");
    assert.equal(alarm.raisedAt, hotAt + forMs, "raised by the timer at the deadline on the device's clock");
    device.close();
  });

  test("a device that never connects raises offline and no data from the rule's start", async () => {
    const offline = await createRule({
      ...deviceRule("never online", "dl-never", { kind: "offline", afterMs: AFTER_MS, severity: "warning" }),
      scope: { kind: "labels", labels: { site: "never" } },
    });
    const noData = await createRule({
      ...deviceRule("never heard", "dl-never", { kind: "noData", afterMs: AFTER_MS, severity: "warning" }),
      scope: { kind: "labels", labels: { site: "never" } },
    });
    await fleet.register("dl-never", { site: "never" });
    await openAlarm(offline, "dl-never");
    await openAlarm(noData, "dl-never");
  });

  test("an alarm cleared by hand while the value stays bad is raised again reRaiseAfterMs later, as a new alarm", async () => {
    const device = await fleet.connect("dl-reraise");
    const rule = await createRule(
      deviceRule("stuck", "dl-reraise", onMetric("temp", [{ severity: "critical", op: "above", value: 80 }]), { reRaiseAfterMs: AFTER_MS }),
    );
    device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { temp: 90 } }] });
    await device.ackFor(1);
    const first = await openAlarm(rule, "dl-reraise");
    const cleared = await running.hub.alarms.clear(first.id, TEST_ACTOR, "looking into it");
    assert.equal(cleared?.status, "cleared");
    assert.equal(cleared?.clearedBy, "user:tester");
    const second = await openAlarm(rule, "dl-reraise", 2);
    assert.notEqual(second.id, first.id);
    assert.equal(second.raisedAt, (cleared?.clearedAt ?? 0) + AFTER_MS);
    assert.equal(second.severity, "critical");
    device.close();
  });

  // Last: it restarts the file's hub.
  test("an offline clock running when the hub stops goes on after its restart", async () => {
    const device = await fleet.connect("dl-restart");
    const rule = await createRule(deviceRule("away long", "dl-restart", { kind: "offline", afterMs: 1_500, severity: "minor" }));
    await running.hub.alarms.idle();
    const leftAt = Date.now();
    device.close();
    await running.stop();
    const restartedAt = Date.now();
    running = await startHub({ adminKey: TEST_ADMIN_KEY, alarms: { tickMs: 20, lateGraceMs: 1, stateFlushMs: 50 } }, running.dataDir);
    const alarm = await openAlarm(rule, "dl-restart");
    assert.ok(alarm.raisedAt >= leftAt + 1_500, "not before afterMs of absence");
    assert.ok(alarm.raisedAt <= restartedAt + 1_500, "counted from the disconnection, not from the restart");
  });
});

describe("alarm engine: a device uploading what it buffered while offline", () => {
  let running: RunningHub;
  let fleet: TestFleet;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, alarms: { tickMs: 20, lateGraceMs: 1_000, stateFlushMs: 50 } });
    fleet = new TestFleet(running);
  });
  after(() => running.dispose());

  test("a spike an hour old, whose end comes in the next batch, raises nothing; a sustained one raises at its deadline", async () => {
    const device = await fleet.connect("dl-backlog");
    const forMs = 300_000;
    const rule = await running.hub.alarms.createRule(
      deviceRule("hot, buffered", "dl-backlog", onMetric("temp", [{ severity: "major", op: "above", value: 80 }], forMs)),
      TEST_ACTOR,
    );
    const hourAgo = Date.now() - 3_600_000;
    device.send({ t: "batch", seq: 1, r: [{ ts: hourAgo, m: { temp: 95 } }] });
    await device.ackFor(1);
    await running.hub.alarms.idle();
    // Ticks (20 ms) pass while the next batch is on its way; its deadline is long past on every clock.
    await new Promise((resolve) => setTimeout(resolve, 200));
    device.send({ t: "batch", seq: 2, r: [{ ts: hourAgo + 1_000, m: { temp: 20 } }] });
    await device.ackFor(2);
    await running.hub.alarms.idle();
    assert.deepEqual(await alarmsOf(running.hub.alarms, rule.id, "dl-backlog"), [], "the spike lasted a second");
    device.send({ t: "batch", seq: 3, r: [{ ts: hourAgo + 2_000, m: { temp: 96 } }] });
    await device.ackFor(3);
    // Nothing more arrives: once lateGraceMs has passed, the deadline is acted on.
    const [alarm] = await eventuallyAlarms(running, rule.id, "dl-backlog");
    assert.equal(alarm?.raisedAt, hourAgo + 2_000 + forMs);
    device.close();
  });
});

async function eventuallyAlarms(running: RunningHub, ruleId: string, deviceId: string) {
  await eventually(async () => (await alarmsOf(running.hub.alarms, ruleId, deviceId)).length > 0, `an alarm of ${ruleId}`);
  return alarmsOf(running.hub.alarms, ruleId, deviceId);
}
