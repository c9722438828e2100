import { JetStreamApiError, type JetStreamClient, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import { InfluxHttp, type InfluxSeries } from "../storage/influx/influx-http.js";
import { InfluxReader } from "../storage/influx/influx-reader.js";
import { KnownMetrics, type NewMetrics } from "../storage/influx/known-metrics.js";
import type {
  AppendOutcome,
  HistoryBucket,
  HistoryQuery,
  LatestValue,
  MetricEntry,
  RawPoint,
  RawQuery,
  TelemetryBatch,
  TelemetryStore,
} from "../storage/telemetry-store.js";
import type { ClusterNames } from "./cluster-names.js";
import { encodeIngestMessage, ingestHeaders, ingestMessageId } from "./ingest-message.js";
import { IngestSequences } from "./ingest-sequences.js";
import { ensureIngestStream, type IngestStreamSettings } from "./ingest-stream.js";
import { SharedMetricTypes } from "./jetstream-metric-types.js";

export interface JetStreamTelemetryStoreOptions {
  /** This instance's NATS connection (not closed by the store). */
  nats: NatsConnection;
  names: ClusterNames;
  /** The stream's, consumer's and bucket's settings (created or updated at open). */
  stream: IngestStreamSettings;
  /** Where the reads go (the drainer writes there). */
  influx: HubConfig["influx"];
  /** `cluster.ingestPublishTimeoutMs`: an append whose publish JetStream has not acknowledged in this time fails. */
  publishTimeoutMs: number;
  /** A read waits at most this long for the batches this instance published to reach InfluxDB first (read your writes). Default 5,000 ms. */
  queryWaitMs?: number;
  /** Whether the NATS connection is up now: while it is not, appends fail at once instead of waiting for the timeout. */
  connected?: () => boolean;
  /** The HTTP client of the reads. Default: one built from `influx`. */
  http?: InfluxHttp;
  log: pino.Logger;
}

/** What the store knows of a device's place in the stream. */
interface DeviceState {
  /** Its last durable batch sequence number. */
  seq: number;
  epoch: number;
  /** Stream sequence of the last message on its subject (0: none); undefined: to be read. */
  subjectSeq: number | undefined;
}

const WRONG_LAST_SEQUENCE = 10071;
/** Publish tries of one batch that lose the race for the device's subject (another instance wrote it) before the append fails. */
const MAX_PUBLISH_TRIES = 8;
/** How often a read waiting for this instance's batches to be drained asks the stream. */
const DRAIN_POLL_MS = 20;
/** What a stored message adds to its payload: subject, headers, timestamps (an estimate on the safe side). */
const MESSAGE_OVERHEAD_BYTES = 256;

class NatsUnavailableError extends Error {
  constructor() {
    super("NATS is unreachable: the batch is not durable");
    this.name = "NatsUnavailableError";
  }
}

/**
 * The cluster's telemetry store. `append` publishes each batch to the file-backed JetStream
 * stream `names.ingestStream` (subject `names.ingest(deviceId)`) and resolves once JetStream
 * acknowledged the publish: that acknowledgement is the durability point (the message is in
 * the stream's files on the NATS server, on a majority of the replicas with `replicas` > 1);
 * an `IngestDrainer` on every instance moves the stream into InfluxDB. Each publish carries
 * `Nats-Msg-Id` `<deviceId>:<seq>` (a resend within the duplicate window is a duplicate) and
 * the expected last sequence of the device's subject, so that two instances writing the same
 * device (a takeover) cannot interleave: the one whose view is stale is refused, reads the
 * device's state again and finds its batch a duplicate or publishes behind the other's.
 * Reads come from InfluxDB (`InfluxReader`). docs/cluster.md, "Durable ingest".
 */
export class JetStreamTelemetryStore implements TelemetryStore {
  readonly kind = "jetstream";
  private readonly js: JetStreamClient;
  private readonly devices = new Map<string, DeviceState>();
  private readonly known: KnownMetrics;
  private readonly reader: InfluxReader;
  private readonly http: InfluxHttp;
  private readonly queryWaitMs: number;
  /** Highest stream sequence this instance published; every message through `drainedThrough` left the stream. */
  private publishedThrough = 0;
  private drainedThrough = 0;
  /** Bytes of the largest batch message this instance published (readiness: would one more fit?). */
  private largestMessage = 0;

  private constructor(
    private readonly options: JetStreamTelemetryStoreOptions,
    private readonly jsm: JetStreamManager,
    private readonly sequences: IngestSequences,
    private readonly types: SharedMetricTypes,
  ) {
    this.js = jsm.jetstream();
    this.http = options.http ?? new InfluxHttp(options.influx);
    this.queryWaitMs = options.queryWaitMs ?? 5_000;
    this.known = new KnownMetrics((deviceId) => this.types.of(deviceId));
    this.reader = new InfluxReader({ influx: options.influx, query: (influxql) => this.query(influxql), known: this.known });
  }

  /** Create or update the stream, its consumer and the sequences bucket, and open the store. */
  static async open(options: JetStreamTelemetryStoreOptions): Promise<JetStreamTelemetryStore> {
    const jsm = await jetstreamManager(options.nats);
    const kv = await ensureIngestStream(jsm, options.names, options.stream);
    let store: JetStreamTelemetryStore | undefined;
    const types = new SharedMetricTypes(kv, (deviceId) => store?.known.forget(deviceId), options.log);
    store = new JetStreamTelemetryStore(options, jsm, new IngestSequences(kv), types);
    await types.watch();
    return store;
  }

  /** The device's state read from the stream (its subject's last message) and the sequences bucket. */
  private async readState(deviceId: string): Promise<DeviceState> {
    const [entry, last] = await Promise.all([
      this.sequences.read(deviceId),
      this.jsm.streams.getMessage(this.options.names.ingestStream, { last_by_subj: this.options.names.ingest(deviceId) }),
    ]);
    const { seq, epoch } = entry.value as { seq: number; epoch: number };
    if (last === null) return { seq, epoch, subjectSeq: 0 };
    const held = ingestHeaders(last.header);
    // A message of an older epoch is a forgotten device's leftover: it counts for the expected sequence only.
    return { seq: held.epoch === epoch ? Math.max(seq, held.seq) : seq, epoch, subjectSeq: last.seq };
  }

  private async stateOf(deviceId: string): Promise<DeviceState> {
    let state = this.devices.get(deviceId);
    if (state === undefined) {
      state = await this.readState(deviceId);
      this.devices.set(deviceId, state);
    }
    return state;
  }

  async append(batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> {
    if (this.options.connected?.() === false) throw new NatsUnavailableError();
    const byDevice = new Map<string, number[]>();
    batches.forEach((batch, i) => {
      const indexes = byDevice.get(batch.deviceId);
      if (indexes === undefined) byDevice.set(batch.deviceId, [i]);
      else indexes.push(i);
    });
    await this.types.load(byDevice.keys());
    const outcomes: AppendOutcome[] = new Array(batches.length);
    const results = await Promise.allSettled(
      Array.from(byDevice, async ([deviceId, indexes]) => {
        const state = await this.stateOf(deviceId);
        for (const i of indexes) outcomes[i] = await this.appendOne(batches[i] as TelemetryBatch, state);
      }),
    );
    const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failure !== undefined) throw failure.reason;
    return outcomes;
  }

  /** One batch of a device, after its earlier ones: record its new metrics' types, then publish it. */
  private async appendOne(batch: TelemetryBatch, state: DeviceState): Promise<AppendOutcome> {
    const newMetrics: NewMetrics = new Map();
    this.known.collect(batch, batch.seq > state.seq, newMetrics);
    const fresh = newMetrics.get(batch.deviceId);
    if (fresh !== undefined) {
      await this.types.record(
        batch.deviceId,
        Array.from(fresh, ([metric, type]) => ({ metric, type })),
      );
      this.known.commit(newMetrics);
    }
    try {
      return await this.publish(batch, state);
    } catch (error) {
      // Whether it landed is unknown: the device's state is read again before its next batch.
      this.devices.delete(batch.deviceId);
      throw error;
    }
  }

  private async publish(batch: TelemetryBatch, state: DeviceState): Promise<AppendOutcome> {
    const { names, publishTimeoutMs } = this.options;
    for (let tries = 1; ; tries++) {
      if (batch.seq <= state.seq) return "duplicate";
      if (state.subjectSeq === undefined) Object.assign(state, await this.readState(batch.deviceId));
      if (batch.seq <= state.seq) return "duplicate";
      const { payload, headers } = encodeIngestMessage(batch, state.epoch);
      this.largestMessage = Math.max(this.largestMessage, payload.length + MESSAGE_OVERHEAD_BYTES);
      try {
        const ack = await this.js.publish(names.ingest(batch.deviceId), payload, {
          msgID: ingestMessageId(batch.deviceId, batch.seq, state.epoch),
          expect: { lastSubjectSequence: state.subjectSeq },
          headers,
          timeout: publishTimeoutMs,
        });
        if (ack.duplicate) {
          state.seq = Math.max(state.seq, batch.seq);
          state.subjectSeq = undefined;
          return "duplicate";
        }
        state.seq = batch.seq;
        state.subjectSeq = ack.seq;
        this.publishedThrough = Math.max(this.publishedThrough, ack.seq);
        return "stored";
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) || tries >= MAX_PUBLISH_TRIES) throw error;
        // The subject moved on: drained (the server holds none of it any more) or written by another instance.
        const actual = Number(/wrong last sequence: (\d+)/.exec(error.message)?.[1] ?? Number.NaN);
        if (actual === 0) {
          const { value } = await this.sequences.read(batch.deviceId);
          Object.assign(state, value, { subjectSeq: 0 });
        } else state.subjectSeq = undefined;
      }
    }
  }

  async deviceMetricTypes(deviceId: string): Promise<MetricEntry[]> {
    await this.types.load([deviceId]);
    return this.types.of(deviceId).map(({ metric, type }) => ({ deviceId, metric, type }));
  }

  async metricTypes(): Promise<MetricEntry[]> {
    return this.types.all();
  }

  async lastSequence(deviceId: string): Promise<number> {
    // Read afresh: the device may have written through another instance since.
    const state = await this.readState(deviceId);
    this.devices.set(deviceId, state);
    return state.seq;
  }

  /** Resolves once every batch this instance published has left the stream for InfluxDB, or after `timeoutMs`. */
  private async delivered(timeoutMs: number): Promise<void> {
    const target = this.publishedThrough;
    const deadline = Date.now() + timeoutMs;
    while (this.drainedThrough < target && Date.now() < deadline) {
      const { state } = await this.jsm.streams.info(this.options.names.ingestStream);
      // Work queue: a message leaves the stream when acknowledged; first_seq is the oldest one left.
      if (state.messages === 0) this.drainedThrough = Math.max(this.drainedThrough, state.last_seq);
      else this.drainedThrough = Math.max(this.drainedThrough, state.first_seq - 1);
      if (this.drainedThrough < target) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  private async query(influxql: string): Promise<InfluxSeries[][]> {
    await this.delivered(this.queryWaitMs);
    return this.http.query(influxql);
  }

  async latest(deviceId: string): Promise<LatestValue[]> {
    await this.types.load([deviceId]);
    return this.reader.latest(deviceId);
  }

  async history(query: HistoryQuery): Promise<HistoryBucket[]> {
    await this.types.load([query.deviceId]);
    return this.reader.history(query);
  }

  async raw(query: RawQuery): Promise<RawPoint[]> {
    await this.types.load([query.deviceId]);
    return this.reader.raw(query);
  }

  async countRaw(query: RawQuery): Promise<number> {
    await this.types.load([query.deviceId]);
    return this.reader.countRaw(query);
  }

  countValues(deviceId?: string): Promise<number> {
    return this.reader.countValues(deviceId);
  }

  /**
   * A new epoch first (a drainer holding one of the device's batches no longer records its
   * sequence), then its batches still in the stream, its points, its metric types.
   */
  async forgetDevice(deviceId: string): Promise<void> {
    const epoch = await this.sequences.forget(deviceId);
    await this.jsm.streams.purge(this.options.names.ingestStream, { filter: this.options.names.ingest(deviceId) });
    this.devices.set(deviceId, { seq: 0, epoch, subjectSeq: 0 });
    await this.reader.dropDevice(deviceId);
    await this.types.forget(deviceId);
    this.known.forget(deviceId);
  }

  /** JetStream answers and the stream has room for a batch like the largest this instance published (a full stream refuses them all). */
  async ping(): Promise<void> {
    if (this.options.connected?.() === false) throw new NatsUnavailableError();
    const { state } = await this.jsm.streams.info(this.options.names.ingestStream);
    const { maxBytes } = this.options.stream;
    if (state.bytes + Math.max(this.largestMessage, MESSAGE_OVERHEAD_BYTES) > maxBytes)
      throw new Error(`the ingest stream is full (${state.bytes} of ${maxBytes} bytes): InfluxDB is not keeping up or is unreachable`);
  }

  async close(): Promise<void> {
    this.types.close();
  }
}
