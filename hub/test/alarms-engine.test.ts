import assert from "node:assert/strict";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import pino from "pino";
import type { AlarmRule, RuleDefinition } from "../src/alarms/rule.js";
import { alarmsOf, deviceRule, onMetric, ruleStepsOf, TEST_ACTOR } from "./support/alarm-rules.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { prng } from "./support/prng.js";
import type { RawDevice } from "./support/raw-device.js";
import { TestFleet } from "./support/test-fleet.js";

/** Device timestamps of these tests: fixed, in 2023 (the deadline timer is off here, so history may be replayed). */
const T0 = 1_700_000_000_000;

describe("alarm engine: readings through a real hub", () => {
  let running: RunningHub;
  const logLines: Record<string, unknown>[] = [];
  let fleet: TestFleet;

  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n")) if (line) logLines.push(JSON.parse(line));
        done();
      },
    });
    // Deadlines are not acted on by the timer here (an hour): every step below comes from a reading.
    running = await startHub({ adminKey: TEST_ADMIN_KEY, alarms: { tickMs: 3_600_000, stateFlushMs: 50 } }, undefined, {
      logger: pino({ level: "error" }, stream),
    });
    fleet = new TestFleet(running);
  });
  after(() => running.dispose());

  function createRule(definition: RuleDefinition): Promise<AlarmRule> {
    return running.hub.alarms.createRule(definition, TEST_ACTOR);
  }

  /** Send one batch of (offset from T0, value) readings of `metric` and wait for its ack. */
  async function send(device: RawDevice, seq: number, readings: [number, number][], metric = "temp"): Promise<void> {
    device.send({ t: "batch", seq, r: readings.map(([offset, value]) => ({ ts: T0 + offset, m: { [metric]: value } })) });
    await device.ackFor(seq);
  }

  test("resent and out-of-order readings create no second alarm and flap none", async () => {
    const device = await fleet.connect("eng-resend");
    const rule = await createRule(deviceRule("hot", "eng-resend", onMetric("temp", [{ severity: "major", op: "above", value: 90 }])));
    await send(device, 1, [[1_000, 95]]);
    // The same batch again (at-least-once delivery), then a reading stamped before the one evaluated.
    await send(device, 1, [[1_000, 95]]);
    await send(device, 2, [[500, 50]]);
    await send(device, 3, [[2_000, 96]]);
    await running.hub.alarms.idle();
    const [alarm, ...others] = await alarmsOf(running.hub.alarms, rule.id, "eng-resend");
    assert.equal(others.length, 0);
    assert.equal(alarm?.status, "active", "the late reading below the threshold did not clear it");
    await send(device, 4, [[3_000, 50]]);
    await running.hub.alarms.idle();
    assert.deepEqual(
      (await ruleStepsOf(running.hub.alarms, rule.id, "eng-resend")).map(({ kind, at }) => [kind, at - T0]),
      [
        ["raised", 1_000],
        ["cleared", 3_000],
      ],
    );
    device.close();
  });

  test("steps in one batch and batches in flight together keep at most one active alarm per rule and device", async () => {
    const device = await fleet.connect("eng-serial");
    const rule = await createRule(deviceRule("spiky", "eng-serial", onMetric("temp", [{ severity: "minor", op: "above", value: 90 }])));
    // Eight batches sent at once, each raising and clearing twice within itself: 16 alarms, one after another.
    const batches = 8;
    for (let seq = 1; seq <= batches; seq++) {
      const base = seq * 10_000;
      device.send({
        t: "batch",
        seq,
        r: [95, 50, 95, 50].map((value, i) => ({ ts: T0 + base + i * 1_000, m: { temp: value } })),
      });
    }
    await device.ackFor(batches);
    await running.hub.alarms.idle();
    const alarms = await alarmsOf(running.hub.alarms, rule.id, "eng-serial");
    assert.equal(alarms.length, batches * 2);
    for (const [i, alarm] of alarms.entries()) {
      assert.equal(alarm.status, "cleared");
      const next = alarms[i + 1];
      if (next) assert.ok((alarm.clearedAt ?? Number.POSITIVE_INFINITY) <= next.raisedAt, "one alarm at a time");
      const kinds = ((await running.hub.alarms.transitions(alarm.id)) ?? []).map((t) => t.kind);
      assert.deepEqual(kinds, ["raised", "cleared"]);
    }
    device.close();
  });

  test("acks do not wait for rules: a batch is acknowledged while the evaluation backlog is still being worked through", async () => {
    const device = await fleet.connect("eng-backlog");
    // 100 rules on one metric make each batch of 500 readings 50,000 evaluations. Every value
    // holds each rule's level, and a first reading raised each rule's alarm: with an alarm open,
    // no series is quiet or free of steps, and each reading is evaluated in full. Evaluation right
    // after a group commit takes up to 20 ms, far less than the backlog of 16 such batches; the
    // client, in this process, reads its acks only when the hub's thread has let go of it.
    for (let i = 0; i < 100; i++) {
      const held = onMetric("load", [{ severity: "warning", op: "above", value: -1e12 - i }], 0);
      await createRule(deviceRule(`held ${i}`, "eng-backlog", held));
    }
    const lag = async (): Promise<number> => {
      const text = await running.hub.metrics.registry.getSingleMetricAsString("telehub_alarm_evaluation_lag_seconds");
      return Number(/telehub_alarm_evaluation_lag_seconds_count (\d+)/.exec(text)?.[1] ?? 0);
    };
    device.send({ t: "batch", seq: 1, r: [{ ts: T0, m: { load: 0 } }] });
    await device.ackFor(1);
    await running.hub.alarms.idle();
    const evaluatedBefore = await lag();
    const batches = 16;
    for (let seq = 2; seq <= batches + 1; seq++) {
      device.send({ t: "batch", seq, r: Array.from({ length: 500 }, (_, i) => ({ ts: T0 + seq * 1_000 + i, m: { load: i } })) });
    }
    await device.ackFor(batches + 1);
    const evaluatedAtLastAck = (await lag()) - evaluatedBefore;
    // Acks go out before evaluation: the last one arrives while batches still wait for the rules.
    assert.ok(evaluatedAtLastAck < batches, `all ${batches} batches were evaluated before the last ack arrived`);
    await running.hub.alarms.idle();
    assert.equal((await lag()) - evaluatedBefore, batches, "then every batch is evaluated");
    device.close();
  });

  test("a rule that throws is logged once and skipped: acks go on and the device's other rules still raise", async () => {
    const device = await fleet.connect("eng-broken");
    // Not through the API (whose schema refuses it): a rule the evaluator cannot read.
    const broken = { kind: "metric", metric: "temp", forMs: 0 } as unknown as RuleDefinition["condition"];
    await createRule(deviceRule("broken", "eng-broken", broken));
    const good = await createRule(deviceRule("good", "eng-broken", onMetric("temp", [{ severity: "critical", op: "above", value: 50 }])));
    await send(device, 1, [[1_000, 60]]);
    await send(device, 2, [[2_000, 61]]);
    await running.hub.alarms.idle();
    assert.equal((await alarmsOf(running.hub.alarms, good.id, "eng-broken")).length, 1);
    const failures = logLines.filter(
      (line) => line.msg === "alarm rule failed on a device; its input is skipped" && line.deviceId === "eng-broken",
    );
    assert.equal(failures.length, 1);
    device.close();
  });

  test("a failing alarm store is logged and skipped: acks go on, and steps are stored again once it works", async () => {
    const device = await fleet.connect("eng-store");
    const rule = await createRule(deviceRule("stored", "eng-store", onMetric("temp", [{ severity: "minor", op: "above", value: 10 }])));
    // Another connection takes the alarms table away under the hub: every raise fails.
    const meta = new Database(join(running.dataDir, "meta.db"));
    try {
      meta.exec("ALTER TABLE alarms RENAME TO alarms_away");
      await send(device, 1, [[1_000, 20]]);
      await running.hub.alarms.idle();
      assert.ok(logLines.some((line) => line.msg === "could not store an alarm step" && line.deviceId === "eng-store"));
    } finally {
      meta.exec("ALTER TABLE alarms_away RENAME TO alarms");
      meta.close();
    }
    // The value is still bad: the next reading raises the alarm the store could not take.
    await send(device, 2, [[2_000, 25]]);
    await running.hub.alarms.idle();
    const [alarm, ...others] = await alarmsOf(running.hub.alarms, rule.id, "eng-store");
    assert.equal(others.length, 0);
    assert.equal(alarm?.raisedAt, T0 + 2_000);
    device.close();
  });

  test("/metrics counts open and unacknowledged alarms by what the API did, and the steps by kind", async () => {
    const device = await fleet.connect("eng-metrics");
    const rule = await createRule(
      deviceRule("metered", "eng-metrics", onMetric("temp", [{ severity: "warning", op: "above", value: 10 }])),
    );
    const scrape = async (): Promise<string> => running.hub.metrics.registry.metrics();
    const value = (text: string, series: string): number => Number(new RegExp(`^${series} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    const before = await scrape();
    await send(device, 1, [[1_000, 20]]);
    await running.hub.alarms.idle();
    const raised = await scrape();
    assert.equal(
      value(raised, 'telehub_alarms_open\\{severity="warning"\\}'),
      value(before, 'telehub_alarms_open\\{severity="warning"\\}') + 1,
    );
    assert.equal(value(raised, "telehub_alarms_unacknowledged"), value(before, "telehub_alarms_unacknowledged") + 1);
    const [alarm] = await alarmsOf(running.hub.alarms, rule.id, "eng-metrics");
    assert.equal((await running.hub.alarms.acknowledge(alarm?.id ?? "", TEST_ACTOR, "seen"))?.acknowledged, true);
    const acknowledged = await scrape();
    assert.equal(value(acknowledged, "telehub_alarms_unacknowledged"), value(before, "telehub_alarms_unacknowledged"));
    assert.equal(
      value(acknowledged, 'telehub_alarms_open\\{severity="warning"\\}'),
      value(raised, 'telehub_alarms_open\\{severity="warning"\\}'),
    );
    assert.ok(value(acknowledged, 'telehub_alarm_transitions_total\\{kind="acknowledged"\\}') >= 1);
    assert.ok(value(acknowledged, "telehub_alarm_evaluation_lag_seconds_count") >= 1);
    device.close();
  });

  test("a deleted device's active alarms are cleared by the system and its states forgotten", async () => {
    const device = await fleet.connect("eng-deleted");
    const rule = await createRule(deviceRule("gone", "eng-deleted", onMetric("temp", [{ severity: "major", op: "above", value: 10 }])));
    await send(device, 1, [[1_000, 20]]);
    await running.hub.alarms.idle();
    const [raised] = await alarmsOf(running.hub.alarms, rule.id, "eng-deleted");
    assert.equal(raised?.status, "active");
    assert.equal((await callApi(running.hub, "DELETE", "/api/v1/devices/eng-deleted")).status, 204);
    const cleared = await running.hub.alarms.getAlarm(raised.id);
    assert.equal(cleared?.status, "cleared");
    assert.equal(cleared?.clearedBy, "system");
    const last = ((await running.hub.alarms.transitions(raised.id)) ?? []).at(-1);
    assert.deepEqual([last?.kind, last?.by, last?.comment], ["cleared", "system", "device deleted"]);
    device.close();
  });

  test("a changed rule keeps its active alarm and carries it on; a deleted rule's alarm is cleared", async () => {
    const device = await fleet.connect("eng-changed");
    const definition = deviceRule("changing", "eng-changed", onMetric("temp", [{ severity: "minor", op: "above", value: 30 }]));
    const rule = await createRule(definition);
    await send(device, 1, [[1_000, 40]]);
    await running.hub.alarms.idle();
    // The new version raises above 35 at major: the open alarm escalates, no second alarm.
    const changed = onMetric("temp", [
      { severity: "minor", op: "above", value: 30 },
      { severity: "major", op: "above", value: 35 },
    ]);
    await running.hub.alarms.updateRule(rule.id, { ...definition, condition: changed }, TEST_ACTOR);
    await send(device, 2, [[2_000, 41]]);
    await running.hub.alarms.idle();
    const [alarm, ...others] = await alarmsOf(running.hub.alarms, rule.id, "eng-changed");
    assert.equal(others.length, 0);
    assert.equal(alarm?.severity, "major");
    assert.equal(await running.hub.alarms.deleteRule(rule.id, TEST_ACTOR), true);
    const cleared = await running.hub.alarms.getAlarm(alarm.id);
    assert.deepEqual([cleared?.status, cleared?.clearedBy], ["cleared", "system"]);
    assert.equal(((await running.hub.alarms.transitions(alarm.id)) ?? []).at(-1)?.comment, "rule deleted");
    device.close();
  });

  test("a device given a profile through the API is watched by the profile's rules at once; one leaving a label scope has its alarm cleared", async () => {
    const device = await fleet.connect("eng-scope");
    const byProfile = await createRule({
      ...deviceRule("profile rule", "eng-scope", onMetric("temp", [{ severity: "minor", op: "above", value: 10 }])),
      scope: { kind: "profile", profileId: "esp32-example" },
    });
    const byLabel = await createRule({
      ...deviceRule("label rule", "eng-scope", onMetric("temp", [{ severity: "minor", op: "above", value: 10 }])),
      scope: { kind: "labels", labels: { room: "lab" } },
    });
    await send(device, 1, [[1_000, 20]]);
    await running.hub.alarms.idle();
    assert.equal((await alarmsOf(running.hub.alarms, byProfile.id, "eng-scope")).length, 0, "not in either scope yet");
    const patched = await callApi(running.hub, "PATCH", "/api/v1/devices/eng-scope", {
      profileId: "esp32-example",
      labels: { room: "lab" },
    });
    assert.equal(patched.status, 200);
    await send(device, 2, [[2_000, 21]]);
    await running.hub.alarms.idle();
    assert.equal((await alarmsOf(running.hub.alarms, byProfile.id, "eng-scope"))[0]?.raisedAt, T0 + 2_000);
    const [labelled] = await alarmsOf(running.hub.alarms, byLabel.id, "eng-scope");
    assert.equal(labelled?.status, "active");
    assert.equal((await callApi(running.hub, "PATCH", "/api/v1/devices/eng-scope", { labels: {} })).status, 200);
    await running.hub.alarms.idle();
    const left = await running.hub.alarms.getAlarm(labelled.id);
    assert.deepEqual([left?.status, left?.clearedBy], ["cleared", "system"]);
    device.close();
  });

  test("live evaluation and the backtest of the same history give the same steps", async () => {
    const device = await fleet.connect("eng-backtest");
    const definition = deviceRule(
      "thermostat",
      "eng-backtest",
      onMetric(
        "temp",
        [
          { severity: "warning", op: "above", value: 70, hysteresis: 2 },
          { severity: "critical", op: "above", value: 85, hysteresis: 3 },
        ],
        4_000,
      ),
      { clear: { mode: "auto", quietMs: 5_000 } },
    );
    const rule = await createRule(definition);
    // Ten minutes of a noisy sine wave around the warning threshold, one reading a second, in batches.
    const random = prng(19);
    const readings: [number, number][] = Array.from({ length: 600 }, (_, i) => [
      i * 1_000,
      Math.round((72 + 16 * Math.sin(i / 25) + (random() - 0.5) * 6) * 10) / 10,
    ]);
    for (let seq = 1; seq * 100 <= readings.length; seq++) await send(device, seq, readings.slice((seq - 1) * 100, seq * 100));
    await running.hub.alarms.idle();
    const live = await ruleStepsOf(running.hub.alarms, rule.id, "eng-backtest");
    const lastTs = T0 + (readings.at(-1)?.[0] ?? 0);
    const result = await running.hub.alarms.backtest(definition, "eng-backtest", T0, lastTs + 1);
    const replayed = result.alarms.flatMap((alarm) =>
      alarm.steps.map(({ kind, at, severity, message }) => ({ kind, at, severity, message })),
    );
    assert.ok(live.filter((step) => step.kind === "raised").length >= 2, "the history raises several alarms");
    assert.ok(live.some((step) => step.kind === "escalated") && live.some((step) => step.kind === "deescalated"));
    assert.deepEqual(live, replayed);
    device.close();
  });
});
