import { Kvm } from "@nats-io/kv";
import pino from "pino";
import { AlarmEngine } from "../../src/alarms/alarm-engine.js";
import { AlarmRecorder } from "../../src/alarms/alarm-recorder.js";
import { AlarmService } from "../../src/alarms/alarm-service.js";
import type { ClusterAlarmDuty } from "../../src/cluster/alarm-duty.js";
import type { AlarmFeedPublisher } from "../../src/cluster/alarm-feed.js";
import type { AlarmNames } from "../../src/cluster/alarm-names.js";
import { ClusterAlarms } from "../../src/cluster/alarm-wiring.js";
import { ClusterCacheNotices } from "../../src/cluster/cluster-cache-notices.js";
import { ClusterEventBus } from "../../src/cluster/cluster-event-bus.js";
import { ClusterLease } from "../../src/cluster/cluster-lease.js";
import type { ClusterNames } from "../../src/cluster/cluster-names.js";
import { DEFAULT_CONFIG, type HubConfig } from "../../src/config/hub-config.js";
import { HubMetrics } from "../../src/metrics.js";
import { NotificationService } from "../../src/notifications/notification-service.js";
import type { SecretFields } from "../../src/security/secret-fields.js";
import { PgAlarmRepository } from "../../src/storage/postgres/pg-alarm-repository.js";
import { openPgDatabase, type PgDatabase } from "../../src/storage/postgres/pg-database.js";
import { PgDeviceRepository } from "../../src/storage/postgres/pg-device-repository.js";
import { PgNotificationRepository } from "../../src/storage/postgres/pg-notification-repository.js";
import type { TelemetryStore } from "../../src/storage/telemetry-store.js";
import { connectTestInstance, type TestInstance } from "./cluster-instance.js";

/** Quick alarm timers for tests: deadlines looked at every 50 ms, acted on 100 ms after. */
export const TEST_ALARMS: HubConfig["alarms"] = { ...DEFAULT_CONFIG.alarms, tickMs: 50, lateGraceMs: 100, stateFlushMs: 50 };
/** Quick notification retries and reminder checks. */
export const TEST_NOTIFICATIONS: HubConfig["notifications"] = { ...DEFAULT_CONFIG.notifications, retryBaseMs: 50, repeatCheckMs: 60_000 };

/** What every "instance" of a test cluster shares: the engines and names. */
export interface AlarmClusterShared {
  natsUrl: string;
  postgresUrl: string;
  secrets: SecretFields;
  /** Stands in for the cluster's InfluxDB (read by the engine's catch-up at start). */
  telemetry: TelemetryStore;
  cluster: ClusterNames;
  /** `cluster.natsPrefix`. */
  prefix: string;
  alarmNames: AlarmNames;
  leaseMs: number;
  /** Whether a device is connected anywhere (stands in for the cluster's device directory). */
  isConnected: (deviceId: string) => boolean;
}

/**
 * One hub instance's alarm side, built as a cluster instance builds it: its own NATS connection,
 * event bus and PostgreSQL pool; the alarm duty on the holder of the `alarms` lease; the API's
 * `AlarmService` reaching the holder's engine over NATS; the gateway's side as the feed publisher.
 */
export class AlarmInstance {
  private constructor(
    readonly id: string,
    readonly link: TestInstance,
    readonly db: PgDatabase,
    readonly bus: ClusterEventBus,
    readonly caches: ClusterCacheNotices,
    readonly devices: PgDeviceRepository,
    readonly alarms: AlarmService,
    readonly notifications: NotificationService,
    readonly feed: AlarmFeedPublisher,
    readonly duty: ClusterAlarmDuty,
    readonly lease: ClusterLease,
    /** Whether this instance sends readings to the feed. */
    readonly readingRules: { readonly open: boolean },
  ) {}

  /** Connect, build, and start contending for the `alarms` lease. */
  static async start(id: string, shared: AlarmClusterShared): Promise<AlarmInstance> {
    const link = await connectTestInstance(shared.natsUrl, id);
    const nats = link.connection.nats;
    const log = pino({ level: "silent" });
    const now = Date.now;
    const metrics = new HubMetrics();
    const db = openPgDatabase(shared.postgresUrl, { poolSize: 4 });
    const repository = new PgAlarmRepository(db, shared.secrets);
    const devices = new PgDeviceRepository(db);
    const bus = new ClusterEventBus(link.notices, shared.cluster.events);
    const caches = new ClusterCacheNotices(link.notices, nats, shared.alarmNames.caches);
    const notifications = new NotificationService({
      repository: new PgNotificationRepository(db, shared.secrets, now),
      alarms: repository,
      // Only this instance's alarm steps: each step is notified by the instance that made it.
      bus: bus.own,
      config: TEST_NOTIFICATIONS,
      metrics,
      log,
      now,
      caches,
    });
    await notifications.loadChannels();
    const engine = (): AlarmEngine =>
      new AlarmEngine({
        repository,
        recorder: new AlarmRecorder({ repository, bus, metrics, now }),
        devices,
        telemetry: shared.telemetry,
        isConnected: shared.isConnected,
        config: TEST_ALARMS,
        maxFutureMs: 0,
        metrics,
        log,
        now,
      });
    const side = await ClusterAlarms.open({
      nats,
      cluster: { ...DEFAULT_CONFIG.cluster, natsPrefix: shared.prefix, heartbeatIntervalMs: 200, ingestMaxBytes: 64 * 1024 * 1024 },
      engine,
      notifications,
      isConnected: shared.isConnected,
      rules: () => repository.allRules(),
      caches,
      log,
    });
    const { duty, observer: feed } = side;
    const alarms = new AlarmService({
      repository,
      engine: side.control,
      devices,
      profiles: { get: async () => undefined },
      telemetry: shared.telemetry,
      config: TEST_ALARMS,
      now,
    });
    const kv = await new Kvm(nats).create(shared.cluster.leasesBucket, { ttl: shared.leaseMs });
    const lease = new ClusterLease(
      kv,
      "alarms",
      id,
      {
        acquired: () => void duty.start(),
        lost: () => void duty.stop(),
      },
      { ttlMs: shared.leaseMs, log },
    );
    lease.start();
    return new AlarmInstance(id, link, db, bus, caches, devices, alarms, notifications, feed, duty, lease, side.gate);
  }

  /** Hand the lease on (the duty stops first: what it was handed is evaluated and acknowledged), then let go of everything. */
  async stop(): Promise<void> {
    await this.duty.stop();
    await this.lease.stop();
    await this.feed.settled();
    await this.notifications.stop();
    this.caches.close();
    this.bus.close();
    await this.link.connection.close();
    await this.db.close();
  }
}
