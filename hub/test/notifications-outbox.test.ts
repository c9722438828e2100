import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import type { NotificationDelivery } from "../src/alarms/notification-channel.js";
import { DEFAULT_CONFIG, type HubConfig } from "../src/config/hub-config.js";
import { retryDelay } from "../src/notifications/delivery-outbox.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { ADMIN, NotificationFixture } from "./support/notification-fixture.js";

const config = (overrides: Partial<HubConfig["notifications"]>) => ({ ...DEFAULT_CONFIG.notifications, ...overrides });

async function deliveriesOf(fixture: NotificationFixture, channelId: string): Promise<NotificationDelivery[]> {
  return (await fixture.service.listDeliveries({ channelId, limit: 1_000, offset: 0 })).items;
}

async function metricValue(fixture: NotificationFixture, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await fixture.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

test("the retry delay doubles from retryBaseMs and stops at maxRetryDelayMs", () => {
  const c = config({ retryBaseMs: 1_000, maxRetryDelayMs: 5_000 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => retryDelay(c, n)),
    [1_000, 2_000, 4_000, 5_000, 5_000],
  );
});

test("a failing webhook is retried with backoff: every attempt recorded with its error, delivered at the third", async () => {
  const receiver = await startHttpReceiver((_request, i) => (i < 2 ? { status: 500, body: `down ${i + 1}` } : { status: 200 }));
  const fixture = new NotificationFixture(config({ retryBaseMs: 60, maxRetryDelayMs: 90, maxAttempts: 5 }));
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(
      fixture.channel("webhook", { url: `${receiver.base}/hook`, secret: "k".repeat(20) }),
      ADMIN,
    );
    const alarm = await fixture.raise("pump-1");
    let delivery: NotificationDelivery | undefined;
    await eventually(async () => {
      delivery = (await deliveriesOf(fixture, channel.id))[0];
      return delivery?.status === "delivered";
    }, "delivered");
    assert.deepEqual(delivery?.alarmIds, [alarm.id]);
    assert.deepEqual(
      delivery?.attempts.map((a) => [a.ok, a.error]),
      [
        [false, "HTTP 500 Internal Server Error: down 1"],
        [false, "HTTP 500 Internal Server Error: down 2"],
        [true, null],
      ],
    );
    const [first, second, third] = delivery?.attempts ?? [];
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 60, "the second attempt waited retryBaseMs");
    assert.ok((third?.at ?? 0) - (second?.at ?? 0) >= 90, "the third waited twice that, capped by maxRetryDelayMs");
    assert.equal(new Set(receiver.received.map((r) => r.headers["x-telehub-delivery"])).size, 1, "one delivery id on every attempt");
    assert.equal(await metricValue(fixture, "telehub_notification_deliveries_total", { kind: "webhook", outcome: "retry" }), 2);
    assert.equal(await metricValue(fixture, "telehub_notification_deliveries_total", { kind: "webhook", outcome: "delivered" }), 1);
    assert.equal(await metricValue(fixture, "telehub_notification_pending"), 0);
  } finally {
    await fixture.dispose();
    await receiver.close();
  }
});

test("after maxAttempts the delivery is failed and not tried again", async () => {
  const receiver = await startHttpReceiver(() => ({ status: 503 }));
  const fixture = new NotificationFixture(config({ retryBaseMs: 10, maxAttempts: 3 }));
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(fixture.channel("slack", { url: `${receiver.base}/services/x` }), ADMIN);
    await fixture.raise("pump-2");
    await eventually(async () => (await deliveriesOf(fixture, channel.id))[0]?.status === "failed", "failed");
    const [delivery] = await deliveriesOf(fixture, channel.id);
    assert.deepEqual([delivery?.attempts.length, delivery?.nextAttemptAt], [3, null]);
    assert.equal(await metricValue(fixture, "telehub_notification_deliveries_total", { kind: "slack", outcome: "failed" }), 1);
    assert.equal(receiver.received.length, 3);
  } finally {
    await fixture.dispose();
    await receiver.close();
  }
});

test("an SMTP server that accepts and never answers delays only its own channel: the webhook is delivered first, the mail attempt times out", async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const receiver = await startHttpReceiver();
  const fixture = new NotificationFixture(config({ timeoutMs: 1_500, retryBaseMs: 60_000 }));
  await fixture.service.start();
  try {
    const port = (silent.address() as { port: number }).port;
    // Created first, so it is offered the alarm first.
    const mail = await fixture.service.createChannel(
      fixture.channel("email", { host: "127.0.0.1", port, security: "none", from: "hub@example.com", to: ["ops@example.com"] }),
      ADMIN,
    );
    const hook = await fixture.service.createChannel(
      fixture.channel("webhook", { url: `${receiver.base}/hook`, secret: "k".repeat(20) }),
      ADMIN,
    );
    await fixture.raise("boiler-1");
    await fixture.raise("boiler-2");
    await eventually(
      async () => (await deliveriesOf(fixture, hook.id)).filter((d) => d.status === "delivered").length === 2,
      "both webhook deliveries",
    );
    await eventually(() => sockets.length > 0, "the mail server was reached");
    const waiting = await deliveriesOf(fixture, mail.id);
    assert.deepEqual(
      waiting.map((d) => [d.status, d.attempts.length]),
      [
        ["pending", 0],
        ["pending", 0],
      ],
      "the mail channel's first attempt is still waiting for a greeting",
    );
    await eventually(
      async () => (await deliveriesOf(fixture, mail.id)).some((d) => d.attempts.length === 1),
      "the mail attempt timed out",
      10_000,
    );
    const attempt = (await deliveriesOf(fixture, mail.id)).flatMap((d) => d.attempts)[0];
    assert.equal(attempt?.ok, false);
    assert.match(attempt?.error ?? "", /Greeting never received|timeout|no answer/i);
  } finally {
    await fixture.dispose();
    for (const socket of sockets) socket.destroy();
    silent.close();
    await receiver.close();
  }
});

test("pending deliveries resume after a restart on the same meta.db, and held messages go out as a digest", async () => {
  let up = false;
  const receiver = await startHttpReceiver(() => (up ? { status: 200 } : { status: 503 }));
  const fixture = new NotificationFixture(config({ retryBaseMs: 60_000 }));
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(
      fixture.channel("webhook", { url: `${receiver.base}/hook`, secret: "k".repeat(20) }, { rateLimit: { count: 1, windowMs: 600_000 } }),
      ADMIN,
    );
    const first = await fixture.raise("tank-1");
    const held = [await fixture.raise("tank-2"), await fixture.raise("tank-3")];
    await eventually(async () => (await deliveriesOf(fixture, channel.id))[0]?.attempts.length === 1, "the first attempt failed");
    const service = await fixture.restart();
    const stored = await deliveriesOf(fixture, channel.id);
    assert.deepEqual(
      stored.map((d) => [d.kind, d.status, d.attempts.length]).sort(),
      [
        ["alarm", "pending", 1],
        ["digest", "pending", 0],
      ],
      "the held messages were stored as a digest at stop",
    );
    up = true;
    fixture.clock.offset += 60_000; // the retry is due
    await service.start();
    await eventually(
      async () => (await deliveriesOf(fixture, channel.id)).every((d) => d.status === "delivered"),
      "both delivered after the restart",
    );
    const after = await deliveriesOf(fixture, channel.id);
    assert.deepEqual(after.find((d) => d.kind === "alarm")?.alarmIds, [first.id]);
    assert.deepEqual(
      after.find((d) => d.kind === "digest")?.alarmIds,
      held.map((a) => a.id),
    );
    assert.equal(after.find((d) => d.kind === "alarm")?.attempts.length, 2);
  } finally {
    await fixture.dispose();
    await receiver.close();
  }
});

test("secrets never appear in a delivery, an attempt's error, a log line or a channel view", async () => {
  const slackToken = "T0SECRET/B0SECRET/xoxbsecrettoken";
  // A receiver that quotes the request path (the Slack token) in its error answer.
  const receiver = await startHttpReceiver((request) => ({ status: 404, body: `no hook at ${request.path}` }));
  const fixture = new NotificationFixture(config({ maxAttempts: 1 }));
  await fixture.service.start();
  try {
    const hookSecret = "whsec-topsecret-0123456789";
    const password = "smtp-Pa55word-topsecret";
    const slack = await fixture.service.createChannel(fixture.channel("slack", { url: `${receiver.base}/services/${slackToken}` }), ADMIN);
    const hook = await fixture.service.createChannel(
      fixture.channel("webhook", { url: `${receiver.base}/hook`, secret: hookSecret }),
      ADMIN,
    );
    const mail = await fixture.service.createChannel(
      fixture.channel("email", {
        host: "127.0.0.1",
        port: 1,
        security: "starttls",
        username: "hub",
        password,
        from: "hub@example.com",
        to: ["ops@example.com"],
      }),
      ADMIN,
    );
    assert.deepEqual([slack.secretsSet, hook.secretsSet, mail.secretsSet], [["url"], ["secret"], ["password"]]);
    await fixture.service.sendTest(slack.id, ADMIN);
    await fixture.raise("vault-1");
    await eventually(
      async () => (await fixture.service.listDeliveries({ limit: 100, offset: 0 })).items.every((d) => d.status !== "pending"),
      "all attempted",
    );
    const deliveries = (await fixture.service.listDeliveries({ limit: 100, offset: 0 })).items;
    const slackErrors = deliveries.filter((d) => d.channelId === slack.id).map((d) => d.attempts[0]?.error);
    assert.deepEqual(slackErrors, ["HTTP 404 Not Found: no hook at [redacted]", "HTTP 404 Not Found: no hook at [redacted]"]);
    const views = [...(await fixture.service.listChannels({ limit: 10, offset: 0 })).items, await fixture.service.getChannel(mail.id)];
    const everything = JSON.stringify([deliveries, views, slack, hook, mail]) + fixture.logLines.join("");
    for (const secret of [slackToken, "xoxbsecrettoken", hookSecret, password]) assert.ok(!everything.includes(secret), `${secret} leaked`);
    assert.ok(
      fixture.logLines.some((line) => line.includes("notification failed for good")),
      "the failures were logged",
    );
  } finally {
    await fixture.dispose();
    await receiver.close();
  }
});
