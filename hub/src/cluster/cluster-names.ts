import { deviceToken } from "./device-token.js";

/**
 * The NATS subjects, JetStream stream and KV bucket names of one cluster, all under its prefix
 * (`cluster.natsPrefix`), so that several clusters can share one NATS account. Device ids pass
 * through `deviceToken` wherever they become a subject token or a KV key.
 */
export interface ClusterNames {
  /**
   * `<p>.events`, under which each `HubEvent` has a subject of its kind (`ClusterEventBus`), as
   * JSON, with the publishing instance in the `Telehub-Instance` header.
   */
  events: string;
  /** `<p>.live.readings.<deviceToken>`: one device's live readings. */
  liveReadings(deviceId: string): string;
  /** `<p>.live.readings.*`: every device's live readings (subscribed while a dashboard watches). */
  liveReadingsAll: string;
  /** `<p>.live.presence.<deviceToken>`: one device's presence changes. */
  livePresence(deviceId: string): string;
  /** `<p>.live.presence.*`: every device's presence changes. */
  livePresenceAll: string;
  /** `<p>.live.newest`: each instance's devices' newest reading times, once a second. */
  liveNewest: string;
  /** `<p>.frames.<instanceId>`: frames routed to the instance that holds a device's socket. */
  frames(instanceId: string): string;
  /** `<p>.ingest.<deviceToken>`: one device's batches in the durable ingest stream. */
  ingest(deviceId: string): string;
  /** `<p>.ingest.*`: the ingest stream's subjects. */
  ingestAll: string;
  /** `<p>_ingest`: the file-backed JetStream stream of ingest batches. */
  ingestStream: string;
  /** `<p>_influx_writer`: the durable pull consumer that drains the ingest stream into InfluxDB. */
  ingestConsumer: string;
  /** `<p>_presence`: KV bucket, deviceToken → the presence claim (JSON). */
  presenceBucket: string;
  /** `<p>_instances`: KV bucket (entries expire), instanceId → the instance's heartbeat (JSON). */
  instancesBucket: string;
  /** `<p>_sequences`: KV bucket, deviceToken → the device's last durable sequence. */
  sequencesBucket: string;
  /** `<p>_leases`: KV bucket (entries expire), duty name → the instance that holds it (`ClusterLease`). */
  leasesBucket: string;
}

/** The names under `prefix` (letters, digits, `_`, `-`: checked by the configuration). */
export function clusterNames(prefix: string): ClusterNames {
  return {
    events: `${prefix}.events`,
    liveReadings: (deviceId) => `${prefix}.live.readings.${deviceToken(deviceId)}`,
    liveReadingsAll: `${prefix}.live.readings.*`,
    livePresence: (deviceId) => `${prefix}.live.presence.${deviceToken(deviceId)}`,
    livePresenceAll: `${prefix}.live.presence.*`,
    liveNewest: `${prefix}.live.newest`,
    frames: (instanceId) => `${prefix}.frames.${instanceId}`,
    ingest: (deviceId) => `${prefix}.ingest.${deviceToken(deviceId)}`,
    ingestAll: `${prefix}.ingest.*`,
    ingestStream: `${prefix}_ingest`,
    ingestConsumer: `${prefix}_influx_writer`,
    presenceBucket: `${prefix}_presence`,
    instancesBucket: `${prefix}_instances`,
    sequencesBucket: `${prefix}_sequences`,
    leasesBucket: `${prefix}_leases`,
  };
}
