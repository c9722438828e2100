import assert from "node:assert/strict";
import { test } from "node:test";
import type { NotificationDelivery } from "../src/alarms/notification-channel.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { ADMIN, NotificationFixture } from "./support/notification-fixture.js";

test("reminders go out every repeatIntervalMs only while an alarm is active and unacknowledged, for the channel's severities", async () => {
  const hook = await startHttpReceiver();
  // The check's own timer never fires in this test: it calls checkRepeats() after moving the clock.
  const fixture = new NotificationFixture({ ...DEFAULT_CONFIG.notifications, repeatCheckMs: 3_600_000 });
  fixture.clock.frozenAt = Date.now();
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(
      fixture.channel(
        "webhook",
        { url: `${hook.base}/hook`, secret: "k".repeat(20) },
        { severities: ["critical"], on: ["raised"], repeatIntervalMs: 10_000 },
      ),
      ADMIN,
    );
    const deliveries = async (): Promise<NotificationDelivery[]> =>
      (await fixture.service.listDeliveries({ channelId: channel.id, limit: 100, offset: 0 })).items.reverse();
    const kinds = async () => (await deliveries()).map((d) => [d.kind, d.alarmIds[0]]);

    const acked = await fixture.raise("a-1", "critical");
    const cleared = await fixture.raise("c-1", "critical");
    const ignored = await fixture.raise("w-1", "warning");
    await eventually(async () => (await deliveries()).length === 2, "the two critical raises");
    await fixture.service.checkRepeats();
    assert.equal((await deliveries()).length, 2, "nothing is due yet");

    fixture.clock.offset += 9_999;
    await fixture.service.checkRepeats();
    assert.equal((await deliveries()).length, 2, "not before repeatIntervalMs");

    fixture.clock.offset += 1;
    await fixture.service.checkRepeats();
    assert.deepEqual(
      (await kinds()).slice(2).sort(),
      [
        ["repeat", acked.id],
        ["repeat", cleared.id],
      ].sort(),
    );
    const reminder = (await deliveries())[2];
    assert.match(reminder?.summary ?? "", /^\[CRITICAL\] Boiler too hot on (a|c)-1: still active$/);
    assert.equal(reminder?.event, null);
    await fixture.service.checkRepeats();
    assert.equal((await deliveries()).length, 4, "the interval starts again at each reminder");

    await fixture.step(acked.id, {
      kind: "acknowledged",
      at: fixture.now(),
      severity: "critical",
      by: "user:ada",
      byName: "ada",
      comment: "on it",
      value: null,
    });
    await fixture.step(cleared.id, {
      kind: "cleared",
      at: fixture.now(),
      severity: "critical",
      by: "rule",
      byName: null,
      comment: null,
      value: 20,
    });
    fixture.clock.offset += 60_000;
    await fixture.service.checkRepeats();
    assert.equal(
      (await deliveries()).length,
      4,
      "no reminder for an acknowledged or a cleared alarm, nor for a severity the channel does not take",
    );
    assert.ok(!(await deliveries()).some((d) => d.alarmIds.includes(ignored.id)));

    const open = await fixture.raise("a-2", "critical");
    fixture.clock.offset += 10_000;
    await fixture.service.checkRepeats();
    assert.deepEqual((await kinds()).slice(4), [
      ["alarm", open.id],
      ["repeat", open.id],
    ]);
    await eventually(() => hook.received.length === 6, "every message sent");
    assert.deepEqual(
      hook.received.map((r) => JSON.parse(r.body).kind),
      ["alarm", "alarm", "repeat", "repeat", "alarm", "repeat"],
    );
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});

test("steps notify only channels that take the step and the alarm's severity after it; a disabled channel sends nothing", async () => {
  const hook = await startHttpReceiver();
  const fixture = new NotificationFixture();
  await fixture.service.start();
  try {
    const settings = { url: `${hook.base}/hook`, secret: "k".repeat(20) };
    const escalations = await fixture.service.createChannel(
      fixture.channel("webhook", settings, { name: "esc", on: ["escalated", "cleared"], severities: ["critical"] }),
      ADMIN,
    );
    const off = await fixture.service.createChannel(fixture.channel("webhook", settings, { name: "off", enabled: false }), ADMIN);
    const alarm = await fixture.raise("b-1", "major");
    await fixture.step(alarm.id, {
      kind: "escalated",
      at: fixture.now(),
      severity: "critical",
      by: "rule",
      byName: null,
      comment: null,
      value: 99,
    });
    await fixture.step(alarm.id, {
      kind: "deescalated",
      at: fixture.now(),
      severity: "major",
      by: "rule",
      byName: null,
      comment: null,
      value: 80,
    });
    await fixture.step(alarm.id, {
      kind: "cleared",
      at: fixture.now(),
      severity: "major",
      by: "rule",
      byName: null,
      comment: null,
      value: 20,
    });
    await eventually(() => hook.received.length === 1, "the escalation");
    const list = async (channelId: string) => (await fixture.service.listDeliveries({ channelId, limit: 10, offset: 0 })).items;
    assert.deepEqual(
      (await list(escalations.id)).map((d) => [d.event, d.summary]),
      [["escalated", "[CRITICAL] Boiler too hot on b-1: escalated"]],
      "raised (not taken), deescalated (not taken) and cleared at major (not a taken severity) sent nothing",
    );
    assert.deepEqual(await list(off.id), []);
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});
