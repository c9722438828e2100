import { deviceToken } from "./device-token.js";

/**
 * The NATS subjects, JetStream stream and KV bucket names of one cluster, all under its prefix
 * (`cluster.natsPrefix`), so that several clusters can share one NATS account. Device ids pass
 * through `deviceToken` wherever they become a subject token or a KV key.
 */
export interface ClusterNames {
  /** `<p>.events`: every `HubEvent` as JSON, with the publishing instance in the `Telehub-Instance` header. */
  events: string;
  /** `<p>.live.<deviceToken>`: one device's live readings and presence changes. */
  live(deviceId: string): string;
  /** `<p>.live.*`: every device's live news. */
  liveAll: string;
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
    live: (deviceId) => `${prefix}.live.${deviceToken(deviceId)}`,
    liveAll: `${prefix}.live.*`,
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
