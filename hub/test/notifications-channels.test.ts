import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChannelDefinition } from "../src/alarms/notification-channel.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { ConfigError, loadConfig } from "../src/config/load-config.js";
import { ChannelInvalidError, ChannelLimitError } from "../src/notifications/channel-errors.js";
import { validateChannel } from "../src/notifications/channel-schema.js";
import { verifyWebhook } from "../src/notifications/webhook-signature.js";
import { ChannelVersionConflictError } from "../src/storage/notification-repository.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { ADMIN, NotificationFixture } from "./support/notification-fixture.js";

const email = (settings: Record<string, unknown> = {}): ChannelDefinition => ({
  name: "ops mail",
  enabled: true,
  kind: "email",
  settings: {
    host: "smtp.example.com",
    port: 587,
    security: "starttls",
    from: "Hub <hub@example.com>",
    to: ["ops@example.com"],
    ...settings,
  } as ChannelDefinition["settings"],
  severities: ["critical"],
  on: ["raised"],
  repeatIntervalMs: 0,
  rateLimit: { count: 10, windowMs: 60_000 },
});

test("validateChannel names the field of each mistake", () => {
  const field = (definition: ChannelDefinition) => validateChannel(definition)?.field;
  assert.equal(field(email()), undefined);
  assert.equal(field(email({ security: "none" })), "settings.security", "plain SMTP to a remote host");
  assert.equal(field(email({ security: "none", host: "127.0.0.1" })), undefined, "plain SMTP to loopback");
  assert.equal(field(email({ security: "none", host: "localhost" })), undefined);
  assert.equal(field(email({ to: ["ops@example.com", "not an address"] })), "settings.to.1");
  assert.equal(field(email({ to: [] })), "settings.to");
  assert.equal(field(email({ from: "hub" })), "settings.from");
  assert.equal(field(email({ username: "hub" })), "settings.password", "AUTH takes both");
  assert.equal(field(email({ ca: "not a certificate" })), "settings.ca");
  assert.equal(field(email({ url: "https://example.com" })), "settings.url", "another kind's setting");
  assert.equal(field({ ...email(), rateLimit: { count: 0, windowMs: 60_000 } }), "rateLimit.count");
  assert.equal(field({ ...email(), rateLimit: { count: 1, windowMs: 999 } }), "rateLimit.windowMs");
  assert.equal(field({ ...email(), repeatIntervalMs: 500 }), "repeatIntervalMs");
  assert.equal(field({ ...email(), severities: [] }), "severities");
  assert.equal(field({ ...email(), name: "  " }), "name");
  const webhook = (settings: Record<string, unknown>): ChannelDefinition => ({
    ...email(),
    kind: "webhook",
    settings: settings as ChannelDefinition["settings"],
  });
  assert.equal(field(webhook({ url: "ftp://example.com/x", secret: "s" })), "settings.url");
  assert.equal(field(webhook({ url: "https://user:pw@example.com/x", secret: "s" })), "settings.url", "no credentials in the URL");
  assert.equal(field(webhook({ url: "https://example.com/x" })), "settings.secret", "a webhook is signed");
  assert.equal(field({ ...email(), kind: "slack", settings: {} as ChannelDefinition["settings"] }), "settings.url");
});

test("channels: views hide secrets, an update that leaves a secret out keeps it, the limit and version conflicts are refused", async () => {
  const hook = await startHttpReceiver();
  const fixture = new NotificationFixture({ ...DEFAULT_CONFIG.notifications, maxChannels: 2 });
  await fixture.service.start();
  try {
    const secret = "whsec-kept-across-updates-0001";
    const definition: ChannelDefinition = { ...email(), kind: "webhook", name: "hook", settings: { url: `${hook.base}/hook`, secret } };
    const created = await fixture.service.createChannel(definition, ADMIN);
    assert.deepEqual(
      [created.settings, created.secretsSet, created.version, created.updatedBy],
      [{ url: `${hook.base}/hook` }, ["secret"], 1, "user:admin"],
    );

    const renamed = await fixture.service.updateChannel(
      created.id,
      { ...definition, name: "renamed", settings: { url: `${hook.base}/other` } },
      ADMIN,
      1,
    );
    assert.deepEqual([renamed?.name, renamed?.secretsSet, renamed?.version], ["renamed", ["secret"], 2]);
    const test = await fixture.service.sendTest(created.id, ADMIN);
    assert.equal(test?.status, "delivered");
    const [got] = hook.received;
    assert.equal(got?.path, "/other", "the new URL");
    assert.equal(verifyWebhook(secret, got?.headers ?? {}, got?.body ?? "", new Map()), "ok", "signed with the kept secret");

    await assert.rejects(
      fixture.service.updateChannel(created.id, { ...definition, name: "stale" }, ADMIN, 1),
      ChannelVersionConflictError,
    );
    await assert.rejects(
      fixture.service.updateChannel(created.id, { ...definition, kind: "slack", settings: { username: "hub" } }, ADMIN),
      (error: unknown) => error instanceof ChannelInvalidError && error.field === "settings.url",
      "a secret of another kind is not carried over",
    );
    await assert.rejects(
      fixture.service.createChannel(email({ security: "none" }), ADMIN),
      (error: unknown) => error instanceof ChannelInvalidError && error.field === "settings.security",
    );
    await fixture.service.createChannel(email(), ADMIN);
    await assert.rejects(fixture.service.createChannel(email(), ADMIN), ChannelLimitError);
    assert.equal(await fixture.service.updateChannel("ch_missing", definition, ADMIN), undefined);
    assert.equal(await fixture.service.sendTest("ch_missing", ADMIN), undefined);
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});

test("deleting a channel fails its pending deliveries and stops its retries", async () => {
  const hook = await startHttpReceiver(() => ({ status: 500 }));
  const fixture = new NotificationFixture({ ...DEFAULT_CONFIG.notifications, retryBaseMs: 60_000 });
  await fixture.service.start();
  try {
    const channel = await fixture.service.createChannel(
      {
        ...email(),
        kind: "webhook",
        name: "hook",
        severities: ["critical"],
        settings: { url: `${hook.base}/hook`, secret: "k".repeat(20) },
      },
      ADMIN,
    );
    await fixture.raise("d-1");
    await eventually(
      async () => (await fixture.service.listDeliveries({ channelId: channel.id, limit: 1, offset: 0 })).items[0]?.attempts.length === 1,
      "one failed attempt",
    );
    assert.equal(await fixture.service.deleteChannel(channel.id, ADMIN), true);
    const [delivery] = (await fixture.service.listDeliveries({ channelId: channel.id, limit: 1, offset: 0 })).items;
    assert.equal(delivery?.status, "failed");
    assert.equal(await fixture.service.getChannel(channel.id), undefined);
    await fixture.raise("d-2");
    fixture.clock.offset += 120_000;
    await fixture.service.checkRepeats();
    assert.equal(hook.received.length, 1, "nothing more went to the deleted channel");
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});

test("a disabled channel sends nothing but test messages: held alarms are dropped, a queued retry fails", async () => {
  const hook = await startHttpReceiver((_request, i) => ({ status: i === 0 ? 500 : 200 }));
  const fixture = new NotificationFixture({ ...DEFAULT_CONFIG.notifications, retryBaseMs: 60_000 });
  await fixture.service.start();
  try {
    const definition: ChannelDefinition = {
      ...email(),
      kind: "webhook",
      name: "hook",
      severities: ["critical"],
      settings: { url: `${hook.base}/hook`, secret: "k".repeat(20) },
      rateLimit: { count: 1, windowMs: 600_000 },
    };
    const channel = await fixture.service.createChannel(definition, ADMIN);
    await fixture.raise("e-1");
    await fixture.raise("e-2");
    await fixture.raise("e-3");
    const list = async () => (await fixture.repository.listDeliveries({ channelId: channel.id, limit: 10, offset: 0 })).items;
    await eventually(async () => (await list())[0]?.attempts.length === 1, "the first alarm's attempt failed");
    await fixture.service.updateChannel(channel.id, { ...definition, enabled: false }, ADMIN);
    await fixture.raise("e-4");
    const service = await fixture.restart(); // stopping stores what rate limits hold as digests
    assert.deepEqual(
      (await list()).map((d) => d.kind),
      ["alarm"],
      "no digest",
    );
    fixture.clock.offset += 60_000;
    await service.start();
    await eventually(async () => (await list())[0]?.status === "failed", "the retry failed");
    assert.deepEqual(
      (await list())[0]?.attempts.map((a) => a.error),
      ["HTTP 500 Internal Server Error: ok", "the channel is disabled"],
    );
    const test = await service.sendTest(channel.id, ADMIN);
    assert.equal(test?.status, "delivered", "test messages still go");
    assert.equal(hook.received.length, 2);
  } finally {
    await fixture.dispose();
    await hook.close();
  }
});

test("notifications.linkBaseUrl must be an http(s) address without query or fragment", () => {
  assert.equal(
    loadConfig({}, { notifications: { linkBaseUrl: "https://hub.example.com/telehub" } }).notifications.linkBaseUrl,
    "https://hub.example.com/telehub",
  );
  for (const bad of ["hub.example.com", "ftp://hub.example.com", "https://hub.example.com/?a=1", "https://hub.example.com/#/x"])
    assert.throws(() => loadConfig({}, { notifications: { linkBaseUrl: bad } }), ConfigError, bad);
  assert.throws(() => loadConfig({ TELEHUB_NOTIFICATIONS_LINK_BASE_URL: "javascript:alert(1)" }), /notifications\.linkBaseUrl/);
});
