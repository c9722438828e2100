import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import pino from "pino";
import type { NotificationChannel, NotificationDelivery } from "../src/alarms/notification-channel.js";
import type { AlarmRule } from "../src/alarms/rule.js";
import { alarmNames } from "../src/cluster/alarm-names.js";
import { AlarmsUnavailableError } from "../src/cluster/alarm-requests.js";
import { ClusterCacheNotices } from "../src/cluster/cluster-cache-notices.js";
import { clusterNames } from "../src/cluster/cluster-names.js";
import { DesiredConfigService } from "../src/desired-config/desired-config-service.js";
import { InProcessEventBus } from "../src/events/event-bus.js";
import { toApiError } from "../src/http/error-handler.js";
import { ProfileService } from "../src/profiles/profile-service.js";
import { SecretCipher } from "../src/security/secret-cipher.js";
import { SecretFields } from "../src/security/secret-fields.js";
import { SecretMarking } from "../src/security/secret-marking.js";
import { openPgDatabase } from "../src/storage/postgres/pg-database.js";
import { PgDesiredConfigStore } from "../src/storage/postgres/pg-desired-config-store.js";
import { PgDeviceRepository } from "../src/storage/postgres/pg-device-repository.js";
import { migratePg } from "../src/storage/postgres/pg-migrate.js";
import { PgProfileRepository } from "../src/storage/postgres/pg-profile-repository.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { type AlarmClusterShared, AlarmInstance } from "./support/alarm-instance.js";
import { deviceRule, onMetric, TEST_ACTOR } from "./support/alarm-rules.js";
import { connectTestInstance } from "./support/cluster-instance.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";
import { type PostgresServer, requirePostgres, startPostgres } from "./support/postgres.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const skip = requireNats() || requirePostgres();

describe("cluster alarms: rules evaluated and notifications sent once per cluster", { skip }, () => {
  let nats: NatsServer;
  let postgres: PostgresServer;
  let receiver: WebhookReceiver;
  const telemetry = new SqliteTelemetryStore(":memory:");
  const secrets = new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));
  const running: AlarmInstance[] = [];
  let clusters = 0;

  before(async () => {
    [nats, postgres, receiver] = await Promise.all([startNats(), startPostgres(), startWebhookReceiver()]);
  });
  after(async () => {
    for (const instance of running) await instance.stop().catch(() => undefined);
    await receiver?.close();
    await telemetry.close();
    await nats?.stop();
    await postgres?.stop();
  });

  /** `count` instances of a new cluster (its own database and NATS prefix). */
  async function startCluster(
    count: number,
    isConnected: (deviceId: string) => boolean = () => false,
  ): Promise<{ instances: AlarmInstance[]; shared: AlarmClusterShared }> {
    const name = `alarms${++clusters}`;
    const postgresUrl = await postgres.createDatabase(name);
    const db = openPgDatabase(postgresUrl, { poolSize: 1 });
    await migratePg(db);
    await db.close();
    const shared: AlarmClusterShared = {
      natsUrl: nats.url,
      postgresUrl,
      secrets,
      telemetry,
      cluster: clusterNames(name),
      prefix: name,
      alarmNames: alarmNames(name),
      leaseMs: 1_500,
      isConnected,
    };
    const instances: AlarmInstance[] = [];
    for (let i = 0; i < count; i++) instances.push(await AlarmInstance.start(`${name}-${i}`, shared));
    running.push(...instances);
    return { instances, shared };
  }

  /** The instance whose duty answers (after its engine started). */
  async function holderOf(instances: AlarmInstance[]): Promise<AlarmInstance> {
    await eventually(() => instances.some((instance) => instance.lease.held), "an instance holds the alarm duty", 15_000);
    const holder = instances.find((instance) => instance.lease.held) as AlarmInstance;
    await holder.alarms.idle();
    return holder;
  }

  /** Every input published is in the feed stream and the holder has evaluated and acknowledged it. */
  async function feedEvaluated(instances: AlarmInstance[], shared: AlarmClusterShared): Promise<void> {
    for (const instance of instances) await instance.feed.settled();
    const jsm = await jetstreamManager(instances[0]?.link.connection.nats as never);
    await eventually(
      async () => {
        const info = await jsm.consumers.info(shared.alarmNames.feedStream, shared.alarmNames.feedConsumer);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      "the holder evaluated and acknowledged every input",
      15_000,
    );
  }

  /** Wait until the channel has at least `count` deliveries and none is pending; answers them all. */
  async function settledDeliveries(instance: AlarmInstance, channelId: string, count: number) {
    let deliveries: NotificationDelivery[] = [];
    await eventually(
      async () => {
        deliveries = (await instance.notifications.listDeliveries({ channelId, limit: 100, offset: 0 })).items;
        return deliveries.length >= count && deliveries.every((delivery) => delivery.status !== "pending");
      },
      `${count} deliveries made and none pending`,
      15_000,
    );
    return deliveries;
  }

  async function webhookChannel(instance: AlarmInstance, name: string, on: NotificationChannel["on"]): Promise<string> {
    const channel = await instance.notifications.createChannel(
      {
        name,
        enabled: true,
        kind: "webhook",
        settings: { url: receiver.url, secret: "cluster-alarms-secret-0123" },
        severities: ["minor", "major", "critical", "warning"],
        on,
        repeatIntervalMs: 0,
        rateLimit: { count: 100, windowMs: 60_000 },
      },
      TEST_ACTOR,
    );
    return channel.id;
  }

  async function setUp(instances: AlarmInstance[], deviceId: string, forMs: number, on: NotificationChannel["on"]) {
    const [first, second, third] = [0, 1, 2].map((i) => instances[i % instances.length] as AlarmInstance) as [
      AlarmInstance,
      AlarmInstance,
      AlarmInstance,
    ];
    await second.devices.create({ id: deviceId, name: deviceId, tokenHash: "sha256:none", labels: {}, at: Date.now() });
    await second.alarms.deviceChanged(deviceId);
    // Made on one instance, known to every other one (cache notices) before any alarm.
    const channelId = await webhookChannel(third, `${deviceId} hook`, on);
    for (const instance of instances)
      await eventually(
        async () => (await instance.notifications.getChannel(channelId)) !== undefined,
        "every instance knows the channel",
        10_000,
      );
    const rule: AlarmRule = await first.alarms.createRule(
      deviceRule(`${deviceId} hot`, deviceId, onMetric("temp", [{ severity: "major", op: "above", value: 90 }], forMs)),
      TEST_ACTOR,
    );
    // Every instance heard of the first rule on readings (cache notice): readings go to the feed.
    await eventually(() => instances.every((instance) => instance.readingRules.open), "every instance feeds readings", 10_000);
    return { channelId, rule };
  }

  /** The webhook bodies about `alarmId`. */
  function bodiesAbout(alarmId: string): string[] {
    return receiver.bodies.filter((body) => body.includes(alarmId));
  }

  test("while no rule looks at readings, no reading goes into the feed stream (connection changes do); a rule made on one instance opens every instance's feed", async () => {
    const { instances, shared } = await startCluster(2);
    const [a, b] = instances as [AlarmInstance, AlarmInstance];
    const jsm = await jetstreamManager(a.link.connection.nats as never);
    const fed = async (): Promise<number> => (await jsm.streams.info(shared.alarmNames.feedStream)).state.last_seq;
    assert.deepEqual([a.readingRules.open, b.readingRules.open], [false, false], "no rules: closed");
    const before = await fed();
    for (let i = 0; i < 20; i++) b.feed.readingsStored("dev-unwatched", [{ ts: 1_000 + i, metrics: { temp: 95 } }]);
    b.feed.presenceChanged("dev-unwatched", true, 1_000);
    await b.feed.settled();
    assert.equal((await fed()) - before, 1, "only the connection change was fed");

    await a.devices.create({ id: "dev-unwatched", name: "d", tokenHash: "sha256:none", labels: {}, at: Date.now() });
    await a.alarms.createRule(
      deviceRule("offline only", "dev-unwatched", { kind: "offline", afterMs: 60_000, severity: "major" }),
      TEST_ACTOR,
    );
    await a.feed.settled();
    assert.equal(a.readingRules.open, false, "an offline rule does not look at readings");
    await a.alarms.createRule(
      deviceRule("hot", "dev-unwatched", onMetric("temp", [{ severity: "major", op: "above", value: 90 }], 0)),
      TEST_ACTOR,
    );
    assert.equal(a.readingRules.open, true, "the instance that made the rule: at once");
    await eventually(() => b.readingRules.open, "the other instance heard of it", 10_000);
    const opened = await fed();
    b.feed.readingsStored("dev-unwatched", [{ ts: 2_000, metrics: { temp: 95 } }]);
    await b.feed.settled();
    assert.equal((await fed()) - opened, 1, "now readings are fed");
  });

  test("with three instances a rule raises one alarm and the channel gets one notification", async () => {
    const { instances, shared } = await startCluster(3);
    await holderOf(instances);
    const { channelId, rule } = await setUp(instances, "dev-once", 0, ["raised"]);
    const ts = Date.now();
    // A device's batch through one instance, resent through another (it reconnected), a later one through a third.
    instances[1]?.feed.readingsStored("dev-once", [{ ts, metrics: { temp: 95 } }]);
    await instances[1]?.feed.settled();
    instances[2]?.feed.readingsStored("dev-once", [{ ts, metrics: { temp: 95 } }]);
    instances[0]?.feed.readingsStored("dev-once", [{ ts: ts + 10, metrics: { temp: 97 } }]);
    await feedEvaluated(instances, shared);
    const viewer = instances[2] as AlarmInstance;
    await viewer.alarms.idle();
    const { items: alarms } = await viewer.alarms.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    assert.equal(alarms.length, 1, "one alarm");
    const alarm = alarms[0];
    assert.equal(alarm?.raisedAt, ts);
    const deliveries = await settledDeliveries(viewer, channelId, 1);
    assert.deepEqual(
      deliveries.map((delivery) => [delivery.kind, delivery.status, delivery.alarmIds]),
      [["alarm", "delivered", [alarm?.id]]],
    );
    assert.equal(bodiesAbout(alarm?.id as string).length, 1, "one notification received");
  });

  test("the holder stops during a duration: the next holder raises it once, at the time the first started counting", async () => {
    const { instances, shared } = await startCluster(2);
    const first = await holderOf(instances);
    const other = instances.find((instance) => instance !== first) as AlarmInstance;
    const forMs = 1_500;
    const { channelId, rule } = await setUp(instances, "dev-takeover", forMs, ["raised"]);
    const t0 = Date.now();
    other.feed.readingsStored("dev-takeover", [{ ts: t0, metrics: { temp: 95 } }]);
    other.feed.readingsStored("dev-takeover", [{ ts: t0 + 100, metrics: { temp: 96 } }]);
    await feedEvaluated(instances, shared);
    // Its state is written and its lease handed on; the duration goes on at the other instance.
    await first.stop();
    running.splice(running.indexOf(first), 1);
    assert.equal(await holderOf([other]), other);
    // Readings keep coming (the device is still hot) until the alarm is raised.
    let ts = t0 + 200;
    let raised = false;
    const deadline = Date.now() + 15_000;
    while (!raised) {
      assert.ok(Date.now() < deadline, "the alarm was raised within 15 s");
      other.feed.readingsStored("dev-takeover", [{ ts, metrics: { temp: 95 } }]);
      ts += 100;
      await new Promise((resolve) => setTimeout(resolve, 100));
      raised = (await other.alarms.listAlarms({ ruleId: rule.id, limit: 1, offset: 0 })).total > 0;
    }
    await feedEvaluated([other], shared);
    await other.alarms.idle();
    const { items: alarms } = await other.alarms.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    assert.equal(alarms.length, 1, "one alarm");
    assert.equal(alarms[0]?.raisedAt, t0 + forMs, "the duration counted from the first holder's reading");
    const deliveries = await settledDeliveries(other, channelId, 1);
    assert.equal(deliveries.length, 1);
    assert.equal(bodiesAbout(alarms[0]?.id as string).length, 1, "one notification received");
  });

  test("an acknowledge through an instance that does not hold the duty is done by the holder's engine; none without a holder", async () => {
    const { instances, shared } = await startCluster(2);
    const holder = await holderOf(instances);
    const other = instances.find((instance) => instance !== holder) as AlarmInstance;
    const { channelId, rule } = await setUp(instances, "dev-ack", 0, ["raised", "acknowledged"]);
    other.feed.readingsStored("dev-ack", [{ ts: Date.now(), metrics: { temp: 99 } }]);
    await feedEvaluated(instances, shared);
    await other.alarms.idle();
    const [alarm] = (await other.alarms.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 })).items;
    assert.ok(alarm, "raised");
    const acknowledged = await other.alarms.acknowledge(alarm.id, TEST_ACTOR, "on it");
    assert.equal(acknowledged?.acknowledged, true);
    assert.equal(acknowledged?.acknowledgedBy, TEST_ACTOR.by);
    const transitions = (await other.alarms.transitions(alarm.id)) ?? [];
    assert.deepEqual(
      transitions.map((transition) => [transition.kind, transition.by, transition.comment]),
      [
        ["raised", "rule", transitions[0]?.comment],
        ["acknowledged", TEST_ACTOR.by, "on it"],
      ],
    );
    // The holder's engine made the step, so the holder's notifications told the channel.
    const deliveries = await settledDeliveries(other, channelId, 2);
    assert.deepEqual(deliveries.map((delivery) => [delivery.event, delivery.status]).sort(), [
      ["acknowledged", "delivered"],
      ["raised", "delivered"],
    ]);
    // Nobody holds the duty: a clear is refused as unavailable (503), a rule change is still stored.
    for (const instance of instances) {
      await instance.duty.stop();
      await instance.lease.stop();
    }
    await assert.rejects(other.alarms.clear(alarm.id, TEST_ACTOR, null), (error: Error) => {
      assert.ok(error instanceof AlarmsUnavailableError);
      const answer = toApiError(error);
      assert.deepEqual([answer.statusCode, answer.code], [503, "TH_API_ALARMS_UNAVAILABLE"]);
      return true;
    });
    assert.equal((await other.alarms.getAlarm(alarm.id))?.status, "active");
    const updated = await other.alarms.updateRule(rule.id, { ...rule, enabled: false }, TEST_ACTOR);
    assert.equal(updated?.enabled, false);
  });

  test("a device connected elsewhere stays online across a holder change; one whose instance died goes offline once", async () => {
    // Stands in for the device directory: connected to some live instance.
    const connected = new Set<string>(["dev-gone"]);
    const { instances, shared } = await startCluster(2, (deviceId) => connected.has(deviceId));
    const first = await holderOf(instances);
    const other = instances.find((instance) => instance !== first) as AlarmInstance;
    await other.devices.create({ id: "dev-gone", name: "dev-gone", tokenHash: "sha256:none", labels: {}, at: Date.now() });
    await other.alarms.deviceChanged("dev-gone");
    const afterMs = 800;
    const rule = await first.alarms.createRule(deviceRule("gone", "dev-gone", { kind: "offline", afterMs, severity: "major" }), TEST_ACTOR);
    other.feed.presenceChanged("dev-gone", true, Date.now());
    await feedEvaluated(instances, shared);
    // Longer than afterMs: a new holder that took the device for disconnected since then would raise at once.
    await new Promise((resolve) => setTimeout(resolve, afterMs * 2));
    await first.stop();
    running.splice(running.indexOf(first), 1);
    assert.equal(await holderOf([other]), other);
    // The device's instance dies: nobody publishes its disconnection; the directory stops counting it connected.
    const lost = Date.now();
    connected.delete("dev-gone");
    await eventually(
      async () => (await other.alarms.listAlarms({ ruleId: rule.id, limit: 1, offset: 0 })).total > 0,
      "the offline alarm is raised",
      15_000,
    );
    await other.alarms.idle();
    const { items: alarms } = await other.alarms.listAlarms({ ruleId: rule.id, limit: 10, offset: 0 });
    assert.equal(alarms.length, 1, "one alarm");
    assert.ok((alarms[0]?.raisedAt ?? 0) >= lost + afterMs, "raised afterMs after the device was lost, not before");
    assert.equal(alarms[0]?.status, "active");
  });

  test("a profile created on one instance is matched at hello on another (its cached list is read again)", async () => {
    const { shared } = await startCluster(0);
    const services: ProfileService[] = [];
    const closers: (() => Promise<void>)[] = [];
    try {
      for (const id of ["profiles-a", "profiles-b"]) {
        const link = await connectTestInstance(shared.natsUrl, id);
        const db = openPgDatabase(shared.postgresUrl, { poolSize: 2 });
        const caches = new ClusterCacheNotices(link.notices, link.connection.nats, shared.alarmNames.caches);
        closers.push(async () => {
          caches.close();
          await link.connection.close();
          await db.close();
        });
        const desiredConfig = new DesiredConfigService({
          store: new PgDesiredConfigStore(db, secrets),
          channel: { send: () => false },
          bus: new InProcessEventBus(),
          now: Date.now,
          secrets: new SecretMarking(),
        });
        services.push(
          new ProfileService({
            repository: new PgProfileRepository(db, secrets),
            devices: new PgDeviceRepository(db),
            desiredConfig,
            builtIns: [],
            maxConfigBytes: 65_536,
            now: Date.now,
            log: pino({ level: "silent" }),
            caches,
          }),
        );
      }
      const [here, there] = services as [ProfileService, ProfileService];
      const devicesDb = openPgDatabase(shared.postgresUrl, { poolSize: 1 });
      closers.push(() => devicesDb.close());
      const devices = new PgDeviceRepository(devicesDb);
      const device = await devices.create({ id: "dev-hello", name: "dev-hello", tokenHash: "sha256:none", labels: {}, at: Date.now() });
      const hello = { model: "sensor-x1", firmware: null };
      // Read (and cached) before the profile exists.
      assert.equal(await here.assignAtHello(device, hello), undefined);
      await there.create(
        { id: "sensor-x", name: "Sensor X", match: { models: ["sensor-*"] }, metrics: [], commands: [], layout: { charts: [] } },
        null,
      );
      await eventually(
        async () => (await here.assignAtHello(device, hello))?.id === "sensor-x",
        "the other instance matches the new profile",
        10_000,
      );
      assert.equal((await devices.get("dev-hello"))?.profileId, "sensor-x");
    } finally {
      for (const close of closers) await close();
    }
  });
});
