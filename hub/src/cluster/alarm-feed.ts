import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import type pino from "pino";
import type { ReadingObserver } from "../alarms/reading-observer.js";
import type { StoredReading } from "../storage/telemetry-store.js";
import type { AlarmNames } from "./alarm-names.js";

/** One input for the alarm rules, as the feed stream carries it (JSON). */
export type AlarmFeedInput =
  | { kind: "readings"; deviceId: string; readings: readonly StoredReading[] }
  | { kind: "presence"; deviceId: string; connected: boolean; at: number };

/** Settings of the feed stream and its consumer. */
export interface AlarmFeedSettings {
  /** `cluster.replicas`. */
  replicas: number;
  /** Bytes of inputs the stream holds at most (`cluster.ingestMaxBytes`): past it the oldest unevaluated ones are dropped. */
  maxBytes: number;
  /** Inputs handed to the holder and not acknowledged are handed again after this long. */
  ackWaitMs: number;
}

/** The consumer's ack wait: the holder acknowledges inputs once evaluated, well within it. */
export const ALARM_FEED_ACK_WAIT_MS = 30_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The feed message of `input`. */
export function encodeFeedInput(input: AlarmFeedInput): Uint8Array {
  return encoder.encode(JSON.stringify(input));
}

/** The input a feed message carries. */
export function decodeFeedInput(data: Uint8Array): AlarmFeedInput {
  return JSON.parse(decoder.decode(data)) as AlarmFeedInput;
}

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * Make sure the feed stream and its durable consumer exist with `settings` (safe from every instance
 * at once). Work-queue retention: an input leaves the stream once the holder acknowledged it, so its
 * size is the evaluation backlog; `discard: old`: a holder far behind (or none for a long time) loses
 * the oldest inputs, never blocks the instances that publish them.
 */
export async function ensureAlarmFeed(jsm: JetStreamManager, names: AlarmNames, settings: AlarmFeedSettings): Promise<void> {
  const config = {
    name: names.feedStream,
    subjects: [names.feedAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: settings.replicas,
    max_bytes: settings.maxBytes,
    discard: DiscardPolicy.Old,
    max_age: 0,
    max_msgs: -1,
  };
  const exists = await jsm.streams.info(config.name).then(
    () => true,
    (error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND) return false;
      throw error;
    },
  );
  let created = false;
  if (!exists) {
    created = await jsm.streams.add(config).then(
      () => true,
      (error: unknown) => {
        if (error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE) return false;
        throw error;
      },
    );
  }
  if (!created) {
    const { name, retention: _retention, storage: _storage, ...mutable } = config;
    await jsm.streams.update(name, mutable);
  }
  const consumer = {
    durable_name: names.feedConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: -1,
  };
  await jsm.consumers.add(names.feedStream, consumer).catch(async (error: unknown) => {
    // Another instance created it first (the same settings): that one serves.
    if (
      !(await jsm.consumers.info(names.feedStream, names.feedConsumer).then(
        () => true,
        () => false,
      ))
    )
      throw error;
  });
}

/**
 * What the gateway tells the alarm rules, on a cluster instance: every stored batch's readings and
 * every connection change go into the feed stream, for the one instance that evaluates them (the
 * alarm duty's holder, {@link ClusterAlarmDuty}). The gateway never waits: a publish is started and
 * left; one that fails (NATS away longer than the client's request timeout) is logged, and those
 * readings are not evaluated live (they are stored; docs/cluster.md says what the rules miss).
 */
export class AlarmFeedPublisher implements ReadingObserver {
  private readonly inFlight = new Set<Promise<unknown>>();
  private failing = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly names: AlarmNames,
    private readonly gate: { readonly open: boolean },
    private readonly log: pino.Logger,
  ) {}

  /**
   * Make sure the feed stream exists (a publish to a subject no stream takes would fail), and
   * publish into it: readings while `gate` is open (some rule looks at readings), connection changes always.
   */
  static async open(
    nats: NatsConnection,
    names: AlarmNames,
    settings: AlarmFeedSettings,
    gate: { readonly open: boolean },
    log: pino.Logger,
  ): Promise<AlarmFeedPublisher> {
    const jsm = await jetstreamManager(nats);
    await ensureAlarmFeed(jsm, names, settings);
    return new AlarmFeedPublisher(jsm.jetstream(), names, gate, log);
  }

  readingsStored(deviceId: string, readings: readonly StoredReading[]): void {
    if (readings.length > 0 && this.gate.open) this.publish({ kind: "readings", deviceId, readings });
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    this.publish({ kind: "presence", deviceId, connected, at });
  }

  /** Resolves once every publish started has been acknowledged or has failed. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private publish(input: AlarmFeedInput): void {
    const published = this.js
      .publish(this.names.feed(input.deviceId), encodeFeedInput(input))
      .then(
        () => {
          if (this.failing) this.log.info("the alarm feed takes inputs again");
          this.failing = false;
        },
        (error: unknown) => {
          if (!this.failing)
            this.log.warn({ err: error, deviceId: input.deviceId }, "an input for the alarm rules was not published; it is not evaluated");
          this.failing = true;
        },
      )
      .finally(() => this.inFlight.delete(published));
    this.inFlight.add(published);
  }
}
