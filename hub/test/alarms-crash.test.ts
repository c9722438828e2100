import assert from "node:assert/strict";
import { test } from "node:test";
import type { Alarm, AlarmTransition } from "../src/alarms/alarm.js";
import { type HubProcess, removeDataDir, spawnHub } from "../src/process/spawn-hub.js";
import { deviceRule, onMetric } from "./support/alarm-rules.js";
import { createDevice } from "./support/create-device.js";
import { eventually } from "./support/eventually.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

const FOR_MS = 3_000;
/** Deadlines looked at often; states written only at a clean stop and after a step: the SIGKILL below loses the in-memory one. */
const CLOCKS = { TELEHUB_ALARMS_TICK_MS: "50", TELEHUB_ALARMS_LATE_GRACE_MS: "1", TELEHUB_ALARMS_STATE_FLUSH_MS: "3600000" };

async function api(hub: HubProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${hub.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function alarmsOf(hub: HubProcess, ruleId: string): Promise<(Alarm & { transitions: AlarmTransition[] })[]> {
  const { body } = await api(hub, "GET", `/alarms?ruleId=${ruleId}&include=transitions&limit=100`);
  return (body as { data: (Alarm & { transitions: AlarmTransition[] })[] }).data;
}

async function sendReading(hub: HubProcess, deviceId: string, token: string, seq: number, ts: number, temp: number): Promise<void> {
  const device = await RawDevice.connect(hub.url.replace("http", "ws"), { deviceId, token });
  if (isRefusal(device)) assert.fail(device.code);
  await device.hello();
  device.send({ t: "batch", seq, r: [{ ts, m: { temp } }] });
  await device.ackFor(seq);
  device.close();
}

test("a duration in progress and a reading acknowledged just before SIGKILL are evaluated after the restart: the alarm fires once, at its deadline", async () => {
  const first = await spawnHub({ env: CLOCKS });
  const hubs: HubProcess[] = [first];
  try {
    const token = await createDevice(first.url, first.adminKey, "crash-alarm");
    const created = await api(
      first,
      "POST",
      "/alarm-rules",
      deviceRule("hot for 3 s", "crash-alarm", onMetric("temp", [{ severity: "major", op: "above", value: 80 }], FOR_MS)),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ruleId = (created.body as { id: string }).id;
    const t = Date.now();
    // A first hub sees a normal value and stops cleanly: the state (watermark t, nothing held) is saved.
    await sendReading(first, "crash-alarm", token, 1, t, 50);
    await first.stop();

    // The second sees the value go bad (a duration starts, in memory only) and is killed once it acknowledged it.
    const second = await spawnHub({ dataDir: first.dataDir, env: CLOCKS });
    hubs.push(second);
    await sendReading(second, "crash-alarm", token, 2, t + 1_000, 85);
    await second.kill();

    // The third replays the acknowledged reading from the store: the duration runs from t + 1 s and fires at t + 4 s.
    const third = await spawnHub({ dataDir: first.dataDir, env: CLOCKS });
    hubs.push(third);
    await eventually(async () => (await alarmsOf(third, ruleId)).length > 0, "the alarm is raised after the restart", 15_000);
    const [alarm, ...others] = await alarmsOf(third, ruleId);
    assert.equal(others.length, 0);
    assert.equal(alarm?.raisedAt, t + 1_000 + FOR_MS, "stamped with the deadline");
    assert.deepEqual(
      alarm?.transitions.map((step) => step.kind),
      ["raised"],
    );
    await third.kill();

    // Killed again after the step: the next start neither raises it twice nor forgets it; a resent batch changes nothing.
    const fourth = await spawnHub({ dataDir: first.dataDir, env: CLOCKS });
    hubs.push(fourth);
    await sendReading(fourth, "crash-alarm", token, 2, t + 1_000, 85);
    await sendReading(fourth, "crash-alarm", token, 3, t + 5_000, 50);
    await eventually(async () => (await alarmsOf(fourth, ruleId))[0]?.status === "cleared", "cleared by the next reading");
    const after = await alarmsOf(fourth, ruleId);
    assert.equal(after.length, 1);
    assert.deepEqual(
      after[0]?.transitions.map((step) => [step.kind, step.at - t]),
      [
        ["raised", 1_000 + FOR_MS],
        ["cleared", 5_000],
      ],
    );
  } finally {
    for (const hub of hubs) await hub.kill();
    removeDataDir(first);
  }
});
