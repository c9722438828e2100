import { deviceToken } from "./device-token.js";

/**
 * The NATS names of the cluster's alarm duty (docs/cluster.md, "Alarms and notifications"), under
 * the cluster's prefix `p` like those of `clusterNames`.
 */
export interface AlarmNames {
  /** `<p>.alarms.feed.<deviceToken>`: one device's readings and connection changes for the alarm rules. */
  feed(deviceId: string): string;
  /** `<p>.alarms.feed.*`: the feed stream's subjects. */
  feedAll: string;
  /** `<p>_alarm_feed`: the file-backed JetStream stream the alarm duty's holder consumes. */
  feedStream: string;
  /** `<p>_alarms`: the feed stream's one durable consumer, the holder's. */
  feedConsumer: string;
  /** `<p>.alarms.requests`: operator actions and changes for the holder's engine (request/reply). */
  requests: string;
  /** `<p>.caches`: "what a cache holds changed" notices between instances. */
  caches: string;
}

/** The alarm duty's names under `prefix` (`cluster.natsPrefix`). */
export function alarmNames(prefix: string): AlarmNames {
  return {
    feed: (deviceId) => `${prefix}.alarms.feed.${deviceToken(deviceId)}`,
    feedAll: `${prefix}.alarms.feed.*`,
    feedStream: `${prefix}_alarm_feed`,
    feedConsumer: `${prefix}_alarms`,
    requests: `${prefix}.alarms.requests`,
    caches: `${prefix}.caches`,
  };
}
