import assert from "node:assert/strict";
import { test } from "node:test";
import type { Alarm } from "../src/alarms/alarm.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { DIGEST_MAX_LINES } from "../src/notifications/message-text.js";
import { RateWindow } from "../src/notifications/rate-window.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { ADMIN, NotificationFixture } from "./support/notification-fixture.js";

const held = (alarmId: string) => ({ alarmId, severity: "major" as const, line: `line ${alarmId}` });

test("a rate window sends `count` messages, holds the rest, and gives them back as one digest when it ends", () => {
  const window = new RateWindow({ count: 2, windowMs: 1_000 }, 3);
  assert.deepEqual(
    ["a", "b", "c", "d", "c"].map((id, i) => window.admit(100 + i, held(id))),
    ["send", "send", "hold", "hold", "hold"],
  );
  assert.equal(window.digestDueAt(), 1_100, "due when the window that began with the first message ends");
  assert.ok(window.holds("c") && !window.holds("a"));
  // A message after the window's end, before the digest is taken, waits for that digest.
  assert.equal(window.admit(1_150, { alarmId: "e", severity: "critical", line: "line e" }), "hold");
  assert.deepEqual(window.takeDigest(1_160), {
    alarmIds: ["c", "d", "e"],
    lines: ["line c", "line d", "line c"],
    count: 4,
    highest: "critical",
  });
  assert.equal(window.digestDueAt(), null);
  assert.equal(window.takeDigest(1_170), undefined, "nothing held: no digest");
  // The digest was the first message of the window that began at 1,160: one more fits.
  assert.deepEqual([window.admit(1_200, held("f")), window.admit(1_300, held("g"))], ["send", "hold"]);
  assert.equal(window.digestDueAt(), 2_160);
  // A window with nothing held simply ends: the next message starts a new one.
  window.takeDigest(2_160);
  assert.deepEqual([window.admit(3_200, held("h")), window.admit(3_201, held("i"))], ["send", "send"]);
});

test("1,000 alarms in one burst: per channel, `count` single messages and exactly one digest naming the other 995", async () => {
  const hook = await startHttpReceiver();
  const slack = await startHttpReceiver();
  const fixture = new NotificationFixture({ ...DEFAULT_CONFIG.notifications, linkBaseUrl: "https://hub.example.com" });
  await fixture.service.start();
  try {
    const rateLimit = { count: 5, windowMs: 2_000 };
    const channels = [
      await fixture.service.createChannel(
        fixture.channel("webhook", { url: `${hook.base}/hook`, secret: "k".repeat(20) }, { rateLimit }),
        ADMIN,
      ),
      await fixture.service.createChannel(fixture.channel("slack", { url: `${slack.base}/services/x` }, { rateLimit }), ADMIN),
    ];
    // Store the 1,000 alarms first, then announce them all at once, as a storm of offline devices does.
    const alarms: Alarm[] = [];
    for (let i = 0; i < 1_000; i++)
      alarms.push(await fixture.raise(`dev-${String(i).padStart(4, "0")}`, "major", "offline for 10 min", false));
    for (const alarm of alarms) await fixture.announce(alarm);
    for (const [channel, receiver] of [
      [channels[0], hook],
      [channels[1], slack],
    ] as const) {
      await eventually(
        async () =>
          (await fixture.service.listDeliveries({ channelId: channel?.id, limit: 100, offset: 0 })).items.some(
            (d) => d.kind === "digest" && d.status === "delivered",
          ),
        `the ${channel?.kind} digest was delivered`,
        10_000,
      );
      const deliveries = (await fixture.service.listDeliveries({ channelId: channel?.id, limit: 100, offset: 0 })).items.reverse();
      assert.deepEqual(
        deliveries.map((d) => d.kind),
        ["alarm", "alarm", "alarm", "alarm", "alarm", "digest"],
      );
      assert.deepEqual(
        deliveries.slice(0, 5).flatMap((d) => d.alarmIds),
        alarms.slice(0, 5).map((a) => a.id),
      );
      const digest = deliveries[5];
      assert.deepEqual(
        digest?.alarmIds,
        alarms.slice(5).map((a) => a.id),
        "the digest names every other alarm, in order",
      );
      assert.equal(digest?.summary, "[MAJOR] Digest: 995 alarm notifications");
      const lines = digest?.body.split("\n") ?? [];
      assert.equal(lines[0], `995 alarm notifications went over the rate limit of channel ${channel?.name} (5 per 2 s):`);
      assert.equal(lines[1], "- [MAJOR] Boiler too hot on dev-0005: raised (offline for 10 min)");
      assert.equal(lines.filter((l) => l.startsWith("- ")).length, DIGEST_MAX_LINES);
      assert.deepEqual(lines.slice(-2), ["… and 945 more", "https://hub.example.com/#/alarms"]);
      assert.equal(receiver.received.length, 6);
    }
    if (channels[0]) {
      const body = JSON.parse(hook.received.at(-1)?.body ?? "{}");
      assert.deepEqual([body.type, body.kind, body.alarms.length], ["alarm.digest", "digest", 995]);
    }
    // Exactly one: nothing more is held, so a whole further window brings nothing.
    await new Promise((resolve) => setTimeout(resolve, rateLimit.windowMs + 200));
    assert.deepEqual([hook.received.length, slack.received.length], [6, 6]);
    assert.equal((await fixture.service.listDeliveries({ limit: 100, offset: 0 })).total, 12);
  } finally {
    await fixture.dispose();
    await hook.close();
    await slack.close();
  }
});

test("test messages are not rate limited", async () => {
  const hook = await startHttpReceiver();
  const fixture = new NotificationFixture();
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(
      fixture.channel("webhook", { url: `${hook.base}/hook`, secret: "k".repeat(20) }, { rateLimit: { count: 1, windowMs: 600_000 } }),
      ADMIN,
    );
    await fixture.raise("dev-1");
    const tests = [await fixture.service.sendTest(channel.id, ADMIN), await fixture.service.sendTest(channel.id, ADMIN)];
    assert.deepEqual(
      tests.map((d) => [d?.kind, d?.status]),
      [
        ["test", "delivered"],
        ["test", "delivered"],
      ],
    );
    await eventually(() => hook.received.length === 3, "the alarm and the two tests");
    assert.deepEqual(hook.received.map((r) => JSON.parse(r.body).type).sort(), ["alarm.notification", "alarm.test", "alarm.test"]);
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});

test("a changed rate limit sends what the old window held, and the new window holds its digest until it ends", async () => {
  const hook = await startHttpReceiver();
  const fixture = new NotificationFixture(DEFAULT_CONFIG.notifications);
  await fixture.service.start();
  try {
    const settings = { url: `${hook.base}/hook`, secret: "k".repeat(20) };
    const channel = await fixture.service.createChannel(
      fixture.channel("webhook", settings, { rateLimit: { count: 1, windowMs: 1_000 } }),
      ADMIN,
    );
    const digests = async () =>
      (await fixture.service.listDeliveries({ channelId: channel.id, limit: 100, offset: 0 })).items.filter((d) => d.kind === "digest");
    const [first, second, third, fourth] = [
      await fixture.raise("dev-1", "major", "m1", false),
      await fixture.raise("dev-2", "major", "m2", false),
      await fixture.raise("dev-3", "major", "m3", false),
      await fixture.raise("dev-4", "major", "m4", false),
    ];
    await fixture.announce(first as Alarm);
    await fixture.announce(second as Alarm);
    const startedAt = Date.now();
    await fixture.service.updateChannel(
      channel.id,
      fixture.channel("webhook", settings, { rateLimit: { count: 1, windowMs: 5_000 } }),
      ADMIN,
    );
    await eventually(async () => (await digests()).some((d) => d.alarmIds.includes(second?.id ?? "")), "the old window's digest");
    await fixture.announce(third as Alarm);
    await fixture.announce(fourth as Alarm);
    // Past the old window's end: a timer left from it would send the new window's digest now.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 1_500 - Date.now())));
    assert.ok(!(await digests()).some((d) => d.alarmIds.includes(fourth?.id ?? "")), "held until the new window ends");
    await eventually(async () => (await digests()).some((d) => d.alarmIds.includes(fourth?.id ?? "")), "the new window's digest", 10_000);
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});
