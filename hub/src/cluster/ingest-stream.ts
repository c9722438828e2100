import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { nanos } from "@nats-io/transport-node";
import type { ClusterNames } from "./cluster-names.js";

/**
 * The ingest stream's duplicate window: a batch resent with the same `Nats-Msg-Id` within it is
 * acknowledged as a duplicate by JetStream itself. Two minutes cover a device's reconnection
 * to another instance and its resend with room to spare; a resend later than that is still
 * caught by the device's last durable sequence (`IngestSequences`), and a batch written twice to
 * InfluxDB is the same point twice (same series and time), never two values.
 */
export const DUPLICATE_WINDOW_MS = 120_000;

/** Settings of the ingest stream, its consumer and the sequences bucket. */
export interface IngestStreamSettings {
  /** `cluster.replicas`: replicas of the stream and of the bucket. */
  replicas: number;
  /** `cluster.ingestMaxBytes`: the backlog the stream holds at most; past it a publish is refused (devices retry). */
  maxBytes: number;
  /** The consumer redelivers a message not acknowledged this long after delivery (a drainer that died). */
  ackWaitMs: number;
  /** Messages delivered to the drainers and not yet acknowledged, at most, cluster-wide. */
  maxAckPending: number;
}

/** Defaults of the consumer's settings (the stream's come from the configuration). */
export const INGEST_CONSUMER_DEFAULTS = { ackWaitMs: 30_000, maxAckPending: 20_000 } as const;

/**
 * The ingest stream: work-queue retention (a batch leaves the stream when a drainer acknowledged
 * it after InfluxDB accepted it, so the stream's size is the backlog), file storage, no age limit
 * (an undrained batch never expires), `maxBytes` with `discard: new` (a full stream refuses new
 * batches instead of dropping old ones).
 */
export function ingestStreamConfig(names: ClusterNames, settings: IngestStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: names.ingestStream,
    subjects: [names.ingestAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: settings.replicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_bytes: settings.maxBytes,
    discard: DiscardPolicy.New,
    max_age: 0,
    max_msgs: -1,
  };
}

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Create the stream, or bring an existing one's limits to `settings` (several instances may start together). */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch((error: unknown) => {
    if (isApiError(error, STREAM_NOT_FOUND)) return undefined;
    throw error;
  });
  if (existing === undefined) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (error) {
      // Another instance created it meanwhile (the server says the name or the subjects are taken).
      if (
        !(await jsm.streams.info(config.name).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    }
  }
  const { name, retention: _retention, storage: _storage, ...mutable } = config;
  await jsm.streams.update(name, mutable);
}

/** The durable pull consumer every instance's drainer shares. */
async function ensureConsumer(jsm: JetStreamManager, names: ClusterNames, settings: IngestStreamSettings): Promise<void> {
  const config = {
    durable_name: names.ingestConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: settings.maxAckPending,
    filter_subject: names.ingestAll,
  };
  const mutable = { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending };
  const exists = await jsm.consumers.info(names.ingestStream, names.ingestConsumer).then(
    () => true,
    (error: unknown) => {
      if (isApiError(error, CONSUMER_NOT_FOUND)) return false;
      throw error;
    },
  );
  if (exists) await jsm.consumers.update(names.ingestStream, names.ingestConsumer, mutable);
  else
    await jsm.consumers.add(names.ingestStream, config).catch(async (error: unknown) => {
      // Another instance created it meanwhile.
      if (
        !(await jsm.consumers.info(names.ingestStream, names.ingestConsumer).then(
          () => true,
          () => false,
        ))
      )
        throw error;
      await jsm.consumers.update(names.ingestStream, names.ingestConsumer, mutable);
    });
}

/**
 * Make sure the ingest stream, its consumer and the sequences bucket exist with `settings`,
 * and open the bucket. Safe to run from every instance at once.
 */
export async function ensureIngestStream(jsm: JetStreamManager, names: ClusterNames, settings: IngestStreamSettings): Promise<KV> {
  await ensureStream(jsm, ingestStreamConfig(names, settings));
  await ensureConsumer(jsm, names, settings);
  return new Kvm(jsm.jetstream()).create(names.sequencesBucket, { replicas: settings.replicas, history: 1, storage: StorageType.File });
}
