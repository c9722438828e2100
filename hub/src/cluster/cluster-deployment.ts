import { Kvm } from "@nats-io/kv";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { AlarmParts, AlarmSide, Deployment, Duty } from "../deployment/deployment.js";
import type { EventBus } from "../events/event-bus.js";
import type { LiveFeed, LiveInterest } from "../live/live-hub.js";
import type { HubMetrics } from "../metrics.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";
import { alarmNames } from "./alarm-names.js";
import { ClusterAlarms } from "./alarm-wiring.js";
import { ClusterCacheNotices } from "./cluster-cache-notices.js";
import { ClusterEventBus } from "./cluster-event-bus.js";
import { ClusterLease } from "./cluster-lease.js";
import { ClusterLiveFeed } from "./cluster-live-feed.js";
import { type ClusterNames, clusterNames } from "./cluster-names.js";
import { ClusterNotices } from "./cluster-notices.js";
import { IngestDrainer, ingestDrainerMetrics } from "./ingest-drainer.js";
import { INGEST_CONSUMER_DEFAULTS, type IngestStreamSettings } from "./ingest-stream.js";
import { JetStreamTelemetryStore } from "./jetstream-telemetry-store.js";
import { type ClusterConnection, connectCluster, instanceIdOf } from "./nats-connection.js";
import { NatsDeviceDirectory } from "./nats-device-directory.js";

/**
 * One instance of a cluster (docs/cluster.md): events and live news through NATS, devices on other
 * instances through the presence bucket, telemetry durable in the JetStream ingest stream (drained
 * into InfluxDB by every instance), and the once-per-cluster duties on the holders of their leases.
 */
export class ClusterDeployment implements Deployment {
  readonly bus: ClusterEventBus;
  readonly ownEvents: EventBus;
  readonly checks: Readonly<Record<string, () => Promise<void>>>;
  readonly caches: ClusterCacheNotices;
  private readonly leases: ClusterLease[] = [];
  private drainer: IngestDrainer | undefined;
  private readonly liveFeeds: ClusterLiveFeed[] = [];
  private dutiesStarted = false;

  private constructor(
    private readonly config: HubConfig,
    private readonly connection: ClusterConnection,
    private readonly names: ClusterNames,
    private readonly notices: ClusterNotices,
    readonly directory: NatsDeviceDirectory,
    private readonly leaseKv: Awaited<ReturnType<Kvm["create"]>>,
    private readonly metrics: HubMetrics,
    private readonly log: pino.Logger,
  ) {
    const bus = new ClusterEventBus(notices, names.events, (error) => log.error({ err: error }, "event listener failed"));
    this.bus = bus;
    this.ownEvents = bus.own;
    this.caches = new ClusterCacheNotices(notices, connection.nats, alarmNames(config.cluster.natsPrefix).caches);
    this.checks = {
      nats: async () => {
        if (!connection.isConnected()) throw new Error("not connected to NATS");
      },
    };
  }

  get instanceId(): string {
    return this.connection.instanceId;
  }

  /** Connect to NATS and make this instance known to the others. */
  static async open(config: HubConfig, metrics: HubMetrics, log: pino.Logger): Promise<ClusterDeployment> {
    const { cluster } = config;
    const instanceId = instanceIdOf(config, config.port);
    const clusterLog = log.child({ component: "cluster", instanceId });
    const connection = await connectCluster(cluster, instanceId, clusterLog);
    try {
      const names = clusterNames(cluster.natsPrefix);
      const notices = new ClusterNotices(connection, {
        maxOfflineBytes: cluster.natsOfflineBufferBytes,
        dropped: (kind) => metrics.clusterNoticesDropped.inc({ kind }),
        log: clusterLog,
      });
      const directory = await NatsDeviceDirectory.open({
        nats: connection.nats,
        names,
        instanceId,
        replicas: cluster.replicas,
        heartbeatIntervalMs: cluster.heartbeatIntervalMs,
        log: clusterLog.child({ part: "directory" }),
      });
      const leaseKv = await new Kvm(connection.nats).create(names.leasesBucket, {
        history: 1,
        replicas: cluster.replicas,
        ttl: cluster.leaseMs,
      });
      return new ClusterDeployment(config, connection, names, notices, directory, leaseKv, metrics, clusterLog);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  private streamSettings(): IngestStreamSettings {
    const { replicas, ingestMaxBytes, ingestAckWaitMs } = this.config.cluster;
    return { ...INGEST_CONSUMER_DEFAULTS, replicas, maxBytes: ingestMaxBytes, ackWaitMs: ingestAckWaitMs };
  }

  /** The JetStream store; this instance also starts draining the stream into InfluxDB. */
  async openTelemetry(): Promise<TelemetryStore> {
    const store = await JetStreamTelemetryStore.open({
      nats: this.connection.nats,
      names: this.names,
      stream: this.streamSettings(),
      influx: this.config.influx,
      publishTimeoutMs: this.config.cluster.ingestPublishTimeoutMs,
      connected: () => this.connection.isConnected(),
      log: this.log.child({ part: "ingest" }),
    });
    try {
      this.drainer = await IngestDrainer.start({
        nats: this.connection.nats,
        names: this.names,
        stream: this.streamSettings(),
        influx: this.config.influx,
        dataDir: this.config.dataDir,
        metrics: ingestDrainerMetrics(this.metrics),
        log: this.log.child({ part: "drainer" }),
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The alarm rules run as the `alarms` duty; this instance feeds them and forwards operator actions to the holder. */
  async alarmRules(parts: AlarmParts): Promise<AlarmSide> {
    const alarms = await ClusterAlarms.open({
      nats: this.connection.nats,
      cluster: this.config.cluster,
      engine: parts.newEngine,
      notifications: parts.notifications,
      isConnected: parts.isConnected,
      rules: parts.rules,
      caches: this.caches,
      log: this.log,
    });
    return {
      control: alarms.control,
      observer: alarms.observer,
      start: async () => {
        // The API's channel list; the sender runs with the duty.
        await parts.notifications.loadChannels();
        this.addDuty("alarms", alarms.duty);
      },
      stop: async () => {
        await alarms.close();
        await parts.notifications.stop();
      },
    };
  }

  liveFeed(local: LiveFeed, interest: LiveInterest): LiveFeed {
    const feed = new ClusterLiveFeed(local, interest, this.notices, this.names, this.log.child({ part: "live" }));
    this.liveFeeds.push(feed);
    // A dead instance tells nobody that its devices are gone: dashboards hear it from here.
    this.directory.onInstanceLeft((instanceId) => feed.instanceLeft(instanceId, Date.now()));
    return feed;
  }

  addDuty(name: string, duty: Duty): void {
    const log = this.log.child({ duty: name });
    const lease = new ClusterLease(
      this.leaseKv,
      name,
      this.instanceId,
      {
        acquired: () =>
          void Promise.resolve(duty.start()).catch((error: unknown) => log.error({ err: error }, "cluster duty failed to start")),
        lost: () => Promise.resolve(duty.stop()).catch((error: unknown) => log.error({ err: error }, "cluster duty failed to stop")),
      },
      { ttlMs: this.config.cluster.leaseMs, log },
    );
    this.leases.push(lease);
    if (this.dutiesStarted) lease.start();
  }

  startDuties(): void {
    this.dutiesStarted = true;
    for (const lease of this.leases) lease.start();
  }

  async stopDuties(): Promise<void> {
    this.dutiesStarted = false;
    for (const lease of this.leases) await lease.stop();
  }

  async close(): Promise<void> {
    await this.stopDuties();
    await this.drainer?.close();
    await this.directory.close();
    for (const feed of this.liveFeeds) feed.close();
    this.caches.close();
    this.bus.close();
    await this.connection.close();
  }
}
