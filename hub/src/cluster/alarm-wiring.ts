import type { NatsConnection } from "@nats-io/transport-node";
import type pino from "pino";
import type { AlarmEngine } from "../alarms/alarm-engine.js";
import type { AlarmRule } from "../alarms/rule.js";
import type { HubConfig } from "../config/hub-config.js";
import { ClusterAlarmDuty } from "./alarm-duty.js";
import { ALARM_FEED_ACK_WAIT_MS, AlarmFeedPublisher, type AlarmFeedSettings } from "./alarm-feed.js";
import { alarmNames } from "./alarm-names.js";
import { RemoteAlarmControl } from "./alarm-requests.js";
import type { SharedCaches } from "./cluster-cache-notices.js";
import { ReadingRulesGate } from "./reading-rules-gate.js";

export interface ClusterAlarmsOptions {
  nats: NatsConnection;
  /** `natsPrefix`, `replicas`, `ingestMaxBytes` (the feed stream's size), `alarmRequestTimeoutMs`, `heartbeatIntervalMs` (the presence check). */
  cluster: Pick<HubConfig["cluster"], "natsPrefix" | "replicas" | "ingestMaxBytes" | "alarmRequestTimeoutMs" | "heartbeatIntervalMs">;
  /** A new engine (with its own `AlarmRecorder`), each time this instance takes the duty. */
  engine: () => AlarmEngine;
  /** The notification service: its sender runs with the duty (it must listen to `ownEvents`). */
  notifications: { startSending(): Promise<void>; stopSending(): Promise<void> };
  /** Whether a device is connected to any live instance (`gateway.presence(id) !== undefined`). */
  isConnected: (deviceId: string) => boolean;
  /** Every alarm rule (the repository's `allRules`): whether readings go to the feed at all. */
  rules: () => Promise<AlarmRule[]>;
  /** Where an instance that changed a rule tells the others (`rules`). */
  caches: SharedCaches;
  log: pino.Logger;
}

/**
 * The alarm side of one cluster instance, assembled (docs/cluster.md, "Alarms and notifications"):
 * what the API's `AlarmService` calls (`control`: the duty holder's engine over NATS), what the
 * gateway tells (`observer`: the feed stream), and the duty to register as `alarms`.
 */
export class ClusterAlarms {
  private constructor(
    /** The `AlarmService`'s engine. */
    readonly control: RemoteAlarmControl,
    /** The gateway's `alarms` (its readings and connection changes go into the feed stream). */
    readonly observer: AlarmFeedPublisher,
    /** `deployment.addDuty("alarms", duty)`. */
    readonly duty: ClusterAlarmDuty,
    /** Whether readings go to the feed (some rule looks at readings). */
    readonly gate: ReadingRulesGate,
  ) {}

  /** Make sure the feed stream and its consumer exist, and build the pieces. */
  static async open(options: ClusterAlarmsOptions): Promise<ClusterAlarms> {
    const { nats, cluster, log } = options;
    const names = alarmNames(cluster.natsPrefix);
    const feed: AlarmFeedSettings = { replicas: cluster.replicas, maxBytes: cluster.ingestMaxBytes, ackWaitMs: ALARM_FEED_ACK_WAIT_MS };
    const gate = new ReadingRulesGate(options.rules, options.caches, log.child({ part: "alarm-feed" }));
    await gate.reload();
    const observer = await AlarmFeedPublisher.open(nats, names, feed, gate, log.child({ part: "alarm-feed" }));
    const duty = new ClusterAlarmDuty({
      nats,
      names,
      feed,
      engine: options.engine,
      notifications: options.notifications,
      isConnected: options.isConnected,
      presenceCheckMs: cluster.heartbeatIntervalMs,
      log: log.child({ duty: "alarms" }),
    });
    const control = new RemoteAlarmControl(nats, names.requests, cluster.alarmRequestTimeoutMs, log.child({ part: "alarm-requests" }), () =>
      gate.rulesChanged(),
    );
    return new ClusterAlarms(control, observer, duty, gate);
  }

  /** At shutdown, after the gateway closed: the inputs it published are in the stream (or failed). */
  close(): Promise<void> {
    this.gate.close();
    return this.observer.settled();
  }
}
