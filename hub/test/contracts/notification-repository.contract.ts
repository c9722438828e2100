import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type {
  ChannelDefinition,
  DeliveryAttempt,
  NotificationChannel,
  NotificationDelivery,
} from "../../src/alarms/notification-channel.js";
import { ChannelVersionConflictError, type NotificationRepository } from "../../src/storage/notification-repository.js";

/** A channel of each kind, every setting given (secrets included). */
export const CHANNELS = {
  email: {
    name: "on-call mail",
    enabled: true,
    kind: "email",
    settings: {
      host: "mail.example.com",
      port: 587,
      security: "starttls",
      username: "telehub",
      password: "smtp-pass-7c1e",
      from: "hub@example.com",
      to: ["ops@example.com", "lead@example.com"],
      ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    },
    severities: ["critical", "major"],
    on: ["raised", "escalated", "cleared"],
    repeatIntervalMs: 3_600_000,
    rateLimit: { count: 10, windowMs: 600_000 },
  },
  webhook: {
    name: "ticketing",
    enabled: true,
    kind: "webhook",
    settings: { url: "https://tickets.example.com/hook", secret: "hmac-key-0b9d" },
    severities: ["critical"],
    on: ["raised"],
    repeatIntervalMs: 0,
    rateLimit: { count: 100, windowMs: 60_000 },
  },
  slack: {
    name: "chat",
    enabled: false,
    kind: "slack",
    settings: { url: "https://hooks.slack.example/services/T000/B000/token-4e2a", username: "telehub" },
    severities: ["critical", "major", "minor", "warning"],
    on: ["raised", "acknowledged"],
    repeatIntervalMs: 0,
    rateLimit: { count: 5, windowMs: 60_000 },
  },
} satisfies Record<string, ChannelDefinition>;

/** A pending delivery of `channelId` about `alarmIds`. */
export function delivery(
  id: string,
  channelId: string,
  createdAt: number,
  alarmIds: string[] = ["alm_1"],
): Omit<NotificationDelivery, "attempts"> {
  return {
    id,
    channelId,
    kind: alarmIds.length > 1 ? "digest" : "alarm",
    alarmIds,
    event: alarmIds.length > 1 ? null : "raised",
    summary: `[CRITICAL] hot boiler on boiler-1: raised (${id})`,
    body: "temperature 92.4 above 90 for 5 min\nhttps://hub.example.com/#/alarms/alm_1",
    status: "pending",
    createdAt,
    nextAttemptAt: createdAt,
  };
}

const failedAttempt = (at: number): DeliveryAttempt => ({ at, ok: false, durationMs: 12, error: "HTTP 503 Service Unavailable" });

/**
 * The behaviour every `NotificationRepository` must have. `open` gives a fresh, empty repository;
 * `reopen` closes the one given and opens the same data afresh (a restart); `dispose` closes all.
 */
export function notificationRepositoryContract(
  name: string,
  factory: {
    open(): Promise<NotificationRepository>;
    reopen(repository: NotificationRepository): Promise<NotificationRepository>;
    dispose(): Promise<void>;
  },
): void {
  describe(`NotificationRepository contract: ${name}`, () => {
    after(() => factory.dispose());

    test("channels of every kind read back whole (secrets included) with a ch_ id; updates count versions; a stale version is a conflict", async () => {
      let repo = await factory.open();
      const created: NotificationChannel[] = [];
      for (const definition of Object.values(CHANNELS)) {
        const channel = await repo.createChannel(definition, 1_000, "user:ada");
        assert.match(channel.id, /^ch_[0-9a-z]{16}$/);
        assert.deepEqual(channel, { ...definition, id: channel.id, version: 1, createdAt: 1_000, updatedAt: 1_000, updatedBy: "user:ada" });
        created.push(channel);
      }
      const [email] = created as [NotificationChannel];
      assert.deepEqual(await repo.getChannel(email.id), email);
      assert.equal(await repo.getChannel("ch_nobody"), undefined);

      const changed: ChannelDefinition = {
        ...CHANNELS.email,
        settings: { ...CHANNELS.email.settings, password: "rotated-pass-22aa", port: 465, security: "tls" },
      };
      const updated = await repo.updateChannel(email.id, changed, 2_000, "key:k1", 1);
      assert.deepEqual(updated, { ...changed, id: email.id, version: 2, createdAt: 1_000, updatedAt: 2_000, updatedBy: "key:k1" });
      const conflict = await repo.updateChannel(email.id, CHANNELS.email, 3_000, null, 1).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(conflict instanceof ChannelVersionConflictError);
      assert.equal(conflict.expected, 1);
      assert.equal(conflict.current, 2);
      const { password: _password, ...withoutPassword } = CHANNELS.email.settings;
      const cleared = await repo.updateChannel(email.id, { ...CHANNELS.email, settings: withoutPassword }, 3_000, null);
      assert.equal(cleared?.version, 3);
      assert.equal(
        "password" in (cleared?.settings ?? {}),
        false,
        "the repository stores what it is given: keeping a secret is the caller's merge",
      );
      assert.equal(await repo.updateChannel("ch_nobody", CHANNELS.email, 3_000, null), undefined);

      repo = await factory.reopen(repo);
      assert.deepEqual(await repo.getChannel(created[1]?.id as string), created[1], "secrets read back after a restart");
    });

    test("channels: listed by name then id, paged with the total; deleted", async () => {
      const repo = await factory.open();
      for (const name of ["zulu", "alpha", "mike", "alpha"]) await repo.createChannel({ ...CHANNELS.webhook, name }, 1_000, null);
      const all = await repo.allChannels();
      assert.deepEqual(
        all.map((channel) => channel.name),
        ["alpha", "alpha", "mike", "zulu"],
      );
      const alphas = all.slice(0, 2).map((channel) => channel.id);
      assert.deepEqual(alphas, [...alphas].sort());
      const page = await repo.listChannels({ limit: 2, offset: 1 });
      assert.equal(page.total, 4);
      assert.deepEqual(
        page.items.map((channel) => channel.name),
        ["alpha", "mike"],
      );
      assert.equal(await repo.deleteChannel(all[0]?.id as string), true);
      assert.equal(await repo.deleteChannel(all[0]?.id as string), false);
      assert.equal((await repo.listChannels({ limit: 10, offset: 0 })).total, 3);
    });

    test("deliveries: added pending, attempts appended with the status and the next attempt, pending ones survive a restart oldest first", async () => {
      let repo = await factory.open();
      const added = await repo.addDelivery(delivery("dlv_b", "ch_1", 2_000));
      assert.deepEqual(added, { ...delivery("dlv_b", "ch_1", 2_000), attempts: [] });
      await repo.addDelivery(delivery("dlv_a", "ch_1", 1_000));
      await repo.addDelivery(delivery("dlv_c", "ch_2", 3_000, ["alm_1", "alm_2", "alm_3"]));
      await repo.addDelivery(delivery("dlv_d", "ch_2", 4_000));

      const retry = await repo.recordAttempt("dlv_a", failedAttempt(1_100), "pending", 2_100);
      assert.deepEqual(retry, { ...delivery("dlv_a", "ch_1", 1_000), attempts: [failedAttempt(1_100)], nextAttemptAt: 2_100 });
      const ok: DeliveryAttempt = { at: 2_100, ok: true, durationMs: 40, error: null };
      const done = await repo.recordAttempt("dlv_a", ok, "delivered", null);
      assert.deepEqual(done?.attempts, [failedAttempt(1_100), ok]);
      assert.equal(done?.status, "delivered");
      assert.equal(done?.nextAttemptAt, null);
      await repo.recordAttempt("dlv_d", failedAttempt(4_100), "failed", null);
      assert.equal(await repo.recordAttempt("dlv_nobody", ok, "delivered", null), undefined);

      repo = await factory.reopen(repo);
      const pending = await repo.pendingDeliveries();
      assert.deepEqual(
        pending.map((d) => d.id),
        ["dlv_b", "dlv_c"],
      );
      assert.deepEqual(pending[1], { ...delivery("dlv_c", "ch_2", 3_000, ["alm_1", "alm_2", "alm_3"]), attempts: [] });
      assert.deepEqual(await repo.getDelivery("dlv_a"), {
        ...delivery("dlv_a", "ch_1", 1_000),
        attempts: [failedAttempt(1_100), ok],
        status: "delivered",
        nextAttemptAt: null,
      });
      assert.equal(await repo.getDelivery("dlv_nobody"), undefined);
      assert.deepEqual(await repo.countByStatus(), { pending: 2, delivered: 1, failed: 1 });
    });

    test("deliveries: newest first, filtered by channel, alarm (digests too) and status, paged with the total", async () => {
      const repo = await factory.open();
      assert.deepEqual(await repo.countByStatus(), { pending: 0, delivered: 0, failed: 0 });
      await repo.addDelivery(delivery("dlv_1", "ch_a", 1_000, ["alm_x"]));
      await repo.addDelivery(delivery("dlv_2", "ch_b", 2_000, ["alm_y"]));
      await repo.addDelivery(delivery("dlv_3", "ch_a", 3_000, ["alm_x", "alm_y", "alm_z"]));
      await repo.addDelivery(delivery("dlv_4", "ch_a", 3_000, ["alm_y"]));
      await repo.addDelivery({ ...delivery("dlv_5", "ch_b", 5_000, []), kind: "test", event: null });
      await repo.recordAttempt("dlv_1", { at: 1_001, ok: true, durationMs: 1, error: null }, "delivered", null);

      const ids = async (query: { channelId?: string; alarmId?: string; status?: "pending" | "delivered" | "failed" }) => {
        const { items, total } = await repo.listDeliveries({ limit: 100, offset: 0, ...query });
        assert.equal(total, items.length);
        return items.map((d) => d.id);
      };
      assert.deepEqual(await ids({}), ["dlv_5", "dlv_4", "dlv_3", "dlv_2", "dlv_1"], "the same time: the later added first");
      assert.deepEqual(await ids({ channelId: "ch_a" }), ["dlv_4", "dlv_3", "dlv_1"]);
      assert.deepEqual(await ids({ alarmId: "alm_x" }), ["dlv_3", "dlv_1"]);
      assert.deepEqual(await ids({ alarmId: "alm_y" }), ["dlv_4", "dlv_3", "dlv_2"]);
      assert.deepEqual(await ids({ alarmId: "alm_y", channelId: "ch_a", status: "pending" }), ["dlv_4", "dlv_3"]);
      assert.deepEqual(await ids({ status: "delivered" }), ["dlv_1"]);
      assert.deepEqual(await ids({ alarmId: "alm_nobody" }), []);
      const page = await repo.listDeliveries({ limit: 2, offset: 1, channelId: "ch_a" });
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.items.map((d) => d.id),
        ["dlv_3", "dlv_1"],
      );
      assert.deepEqual(page.items[0]?.alarmIds, ["alm_x", "alm_y", "alm_z"]);
    });

    test("deleting a channel fails its pending deliveries with an attempt that says so, keeps the others and its history", async () => {
      const repo = await factory.open();
      const channel = await repo.createChannel(CHANNELS.webhook, 1_000, null);
      const other = await repo.createChannel(CHANNELS.slack, 1_000, null);
      await repo.addDelivery(delivery("dlv_sent", channel.id, 1_000));
      await repo.recordAttempt("dlv_sent", { at: 1_001, ok: true, durationMs: 3, error: null }, "delivered", null);
      await repo.addDelivery(delivery("dlv_retrying", channel.id, 2_000));
      await repo.recordAttempt("dlv_retrying", failedAttempt(2_001), "pending", 3_000);
      await repo.addDelivery(delivery("dlv_other", other.id, 2_000));
      await repo.setLastNotified(channel.id, "alm_1", 2_000);

      assert.equal(await repo.deleteChannel(channel.id), true);
      const retrying = await repo.getDelivery("dlv_retrying");
      assert.equal(retrying?.status, "failed");
      assert.equal(retrying?.nextAttemptAt, null);
      assert.equal(retrying?.attempts.length, 2);
      assert.deepEqual({ ...retrying?.attempts[1], at: 0 }, { at: 0, ok: false, durationMs: 0, error: "channel deleted" });
      assert.equal((await repo.getDelivery("dlv_sent"))?.status, "delivered");
      assert.deepEqual(
        (await repo.pendingDeliveries()).map((d) => d.id),
        ["dlv_other"],
      );
      assert.equal((await repo.listDeliveries({ channelId: channel.id, limit: 10, offset: 0 })).total, 2, "history kept");
      assert.equal(await repo.lastNotified(channel.id, "alm_1"), undefined, "its reminder marks go");
    });

    test("reminder marks: per channel and alarm, overwritten, kept across a restart", async () => {
      let repo = await factory.open();
      assert.equal(await repo.lastNotified("ch_a", "alm_1"), undefined);
      await repo.setLastNotified("ch_a", "alm_1", 1_000);
      await repo.setLastNotified("ch_a", "alm_2", 1_500);
      await repo.setLastNotified("ch_b", "alm_1", 1_700);
      await repo.setLastNotified("ch_a", "alm_1", 2_000);
      repo = await factory.reopen(repo);
      assert.equal(await repo.lastNotified("ch_a", "alm_1"), 2_000);
      assert.equal(await repo.lastNotified("ch_a", "alm_2"), 1_500);
      assert.equal(await repo.lastNotified("ch_b", "alm_1"), 1_700);
      assert.equal(await repo.lastNotified("ch_b", "alm_2"), undefined);
    });
  });
}
