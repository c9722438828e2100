import { join } from "node:path";
import { type Consumer, type JetStreamManager, type JsMsg, jetstreamManager, type MsgRequest } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { HubMetrics } from "../metrics.js";
import { DeadLetters, type RefusedLine, writeIsolating } from "../storage/influx/dead-letters.js";
import { InfluxHttp, InfluxRequestError } from "../storage/influx/influx-http.js";
import type { InfluxStoreMetrics } from "../storage/influx/influx-store-metrics.js";
import { createDatabaseQuery } from "../storage/influx/influxql.js";
import { encodeBatch } from "../storage/influx/line-protocol.js";
import { pause } from "../storage/influx/pause.js";
import type { ClusterNames } from "./cluster-names.js";
import { decodeIngestMessage, ingestHeaders } from "./ingest-message.js";
import { type DeviceSequence, IngestSequences } from "./ingest-sequences.js";
import { ensureIngestStream, type IngestStreamSettings } from "./ingest-stream.js";
import type { Revised } from "./jetstream-kv-cas.js";

/** What the drainer reports: InfluxDB writes as the InfluxDB store reports them, and the stream's backlog. */
export interface IngestDrainerMetrics extends Pick<InfluxStoreMetrics, "writeSeconds" | "writeError" | "deadLettered"> {
  /** The cluster's backlog: batches (and their bytes) in the ingest stream, not yet in InfluxDB. */
  backlog(messages: number, bytes: number): void;
}

/** The drainer's reports, recorded in the hub's Prometheus metrics. */
export function ingestDrainerMetrics(metrics: HubMetrics): IngestDrainerMetrics {
  return {
    writeSeconds: (seconds) => metrics.influxWriteSeconds.observe(seconds),
    writeError: (status) => metrics.influxWriteErrors.inc({ status: String(status) }),
    deadLettered: (points) => metrics.influxDeadLetteredPoints.inc(points),
    backlog(messages, bytes) {
      metrics.ingestBacklogMessages.set(messages);
      metrics.ingestBacklogBytes.set(bytes);
    },
  };
}

export interface IngestDrainerOptions {
  nats: NatsConnection;
  names: ClusterNames;
  /** The stream's, consumer's and bucket's settings (created or updated at start, as the store does). */
  stream: IngestStreamSettings;
  /** InfluxDB, and `batchSize` (most points in one write), `flushIntervalMs` (longest a batch waits for a fuller write), `maxRetryDelayMs`. */
  influx: HubConfig["influx"];
  /** Folder of the dead-letter file (`ingest-dead-letter.lp`). */
  dataDir: string;
  metrics: IngestDrainerMetrics;
  log: pino.Logger;
  /** How often the backlog gauge is refreshed from the stream. Default 5,000 ms. */
  backlogIntervalMs?: number;
  /** The HTTP client. Default: one built from `influx`. */
  http?: InfluxHttp;
}

/** Messages one pull asks for, and the most this instance holds unwritten (it pulls again only below it). */
const PULL_MESSAGES = 1_000;
/** How long one pull waits for messages (the client's minimum). */
const PULL_EXPIRES_MS = 1_000;
/** How much longer than its expiry a pull may run before it is given up. */
const PULL_GRACE_MS = 2_000;
const FIRST_RETRY_DELAY_MS = 100;
/** Batches written per InfluxDB write while reclaiming leftovers (see `backlog`). */
const RECLAIM_RUN = 500;

/** A batch from the stream, as line protocol. */
interface LinedBatch {
  deviceId: string;
  seq: number;
  epoch: number;
  lines: string[];
}

/** A batch taken from the consumer. */
interface Taken extends LinedBatch {
  msg: JsMsg;
  takenAt: number;
}

/**
 * Drains the ingest stream into InfluxDB: every instance runs one on the shared durable pull
 * consumer (`names.ingestConsumer`), and JetStream hands each batch to one of them. Batches are
 * written in runs of up to `influx.batchSize` points; a batch is acknowledged (and so leaves the
 * work-queue stream) only after InfluxDB accepted its points and its device's drained sequence
 * is in the sequences bucket. InfluxDB away: the run is retried with capped, jittered backoff,
 * nothing is acknowledged (the held batches are kept from redelivery with `working()`), no more
 * is pulled, and the backlog stays in the stream. Writing a batch twice (a redelivery after a
 * drainer died between write and acknowledgement) stores nothing twice: a point is its series
 * (measurement and device) and timestamp, and the same reading is the same point.
 */
export class IngestDrainer {
  private closed = false;
  private readonly pending: Taken[] = [];
  private pendingPoints = 0;
  private readonly delivering = new Set<Taken>();
  private wakeWriter: (() => void) | undefined;
  private wakePuller: (() => void) | undefined;
  private backoff: (() => void) | undefined;
  private failures = 0;
  private prepared = false;
  private loops: Promise<void>[] = [];
  private fetching: { stop(): void } | undefined;
  private reclaiming = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly http: InfluxHttp;
  private readonly deadLetters: DeadLetters;

  private constructor(
    private readonly options: IngestDrainerOptions,
    private readonly jsm: JetStreamManager,
    private readonly sequences: IngestSequences,
  ) {
    this.http = options.http ?? new InfluxHttp(options.influx);
    this.deadLetters = new DeadLetters(join(options.dataDir, "ingest-dead-letter.lp"), options.metrics, options.log);
  }

  /** Make sure the stream and consumer exist, and start draining. */
  static async start(options: IngestDrainerOptions): Promise<IngestDrainer> {
    const jsm = await jetstreamManager(options.nats);
    const kv = await ensureIngestStream(jsm, options.names, options.stream);
    const drainer = new IngestDrainer(options, jsm, new IngestSequences(kv));
    drainer.loops = [drainer.pull(), drainer.flush()];
    // Held batches are redelivered elsewhere after the consumer's ack wait: tell JetStream they are being worked on.
    drainer.timers.push(setInterval(() => drainer.touchHeld(), Math.max(100, options.stream.ackWaitMs / 3)));
    drainer.timers.push(setInterval(() => void drainer.backlog().catch(() => undefined), options.backlogIntervalMs ?? 5_000));
    return drainer;
  }

  /**
   * The backlog now (every instance's): batches in the stream and their bytes; also sets the gauge.
   * A NATS server killed (SIGKILL) can lose the removal of batches the drainers had acknowledged
   * (seen with nats-server 2.9, file storage, one replica): the stream keeps them below the
   * consumer's acknowledgement floor, where the consumer never delivers them again. They are
   * written again here (the same points) and deleted.
   */
  async backlog(): Promise<{ messages: number; bytes: number }> {
    const { ingestStream, ingestConsumer } = this.options.names;
    let [{ state }, consumer] = await Promise.all([
      this.jsm.streams.info(ingestStream),
      this.jsm.consumers.info(ingestStream, ingestConsumer),
    ]);
    const floor = consumer.ack_floor.stream_seq;
    if (state.messages > 0 && state.first_seq <= floor && !this.reclaiming) {
      this.reclaiming = true;
      const reclaimed = await this.reclaim(state.first_seq, floor).finally(() => {
        this.reclaiming = false;
      });
      this.options.log.warn(
        { reclaimed, ackFloor: floor },
        "wrote again and removed batches acknowledged earlier that the stream still held",
      );
      ({ state } = await this.jsm.streams.info(ingestStream));
    }
    this.options.metrics.backlog(state.messages, state.bytes);
    return { messages: state.messages, bytes: state.bytes };
  }

  /** Write and delete the batches the stream holds from `from` through `through`. */
  private async reclaim(from: number, through: number): Promise<number> {
    const { ingestStream, ingestAll } = this.options.names;
    let reclaimed = 0;
    for (let seq = from; seq <= through && !this.closed; ) {
      const found: { seq: number; batch: LinedBatch | undefined }[] = [];
      while (found.length < RECLAIM_RUN && seq <= through) {
        const stored = await this.jsm.streams.getMessage(ingestStream, { seq, next_by_subj: ingestAll } as MsgRequest);
        if (stored === null || stored.seq > through) {
          seq = through + 1;
          break;
        }
        found.push({ seq: stored.seq, batch: this.lined(stored.data, stored.header, stored) });
        seq = stored.seq + 1;
      }
      await this.write(found.flatMap(({ batch }) => (batch === undefined ? [] : [batch])));
      // Another instance may be reclaiming them too: one already deleted is fine.
      await Promise.all(found.map((message) => this.jsm.streams.deleteMessage(ingestStream, message.seq, false).catch(() => false)));
      reclaimed += found.length;
    }
    return reclaimed;
  }

  private held(): number {
    return this.pending.length + this.delivering.size;
  }

  private touchHeld(): void {
    for (const taken of this.pending) taken.msg.working();
    for (const taken of this.delivering) taken.msg.working();
  }

  private async pull(): Promise<void> {
    let consumer: Consumer | undefined;
    let failures = 0;
    while (!this.closed) {
      if (this.held() >= PULL_MESSAGES || this.failures > 0) {
        const wait = pause(2 ** 31 - 1);
        this.wakePuller = wait.cut;
        await wait.done;
        this.wakePuller = undefined;
        continue;
      }
      try {
        consumer ??= await this.jsm.jetstream().consumers.get(this.options.names.ingestStream, this.options.names.ingestConsumer);
        const messages = await consumer.fetch({ max_messages: PULL_MESSAGES - this.held(), expires: PULL_EXPIRES_MS });
        this.fetching = messages;
        // A pull sent to a server that died meanwhile may never end by itself: give it up after its expiry.
        const watchdog = setTimeout(() => messages.stop(), PULL_EXPIRES_MS + PULL_GRACE_MS);
        try {
          for await (const msg of messages) this.take(msg);
        } finally {
          clearTimeout(watchdog);
          this.fetching = undefined;
        }
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        consumer = undefined;
        if (failures++ === 0) this.options.log.warn({ err: error }, "pulling from the ingest stream failed; retrying");
        await this.sleep(Math.min(this.options.influx.maxRetryDelayMs, FIRST_RETRY_DELAY_MS * 2 ** Math.min(failures, 10)));
      }
    }
  }

  /** The batch of a message as line protocol; undefined (and logged) for a message that is not one. */
  private lined(data: Uint8Array, headers: MsgHdrs | undefined, where: { subject: string; seq: number }): LinedBatch | undefined {
    const { influx } = this.options;
    try {
      const batch = decodeIngestMessage(data);
      return { ...ingestHeaders(headers), deviceId: batch.deviceId, lines: encodeBatch(batch, influx.measurement, influx.precision) };
    } catch (error) {
      // Only a hub's publish lands on these subjects: this is a bug or a foreign publisher; never redeliver it.
      this.options.log.error({ err: error, subject: where.subject, streamSeq: where.seq }, "an ingest message is not a batch; dropped");
      return undefined;
    }
  }

  private take(msg: JsMsg): void {
    const batch = this.lined(msg.data, msg.headers, msg);
    if (batch === undefined) {
      msg.term();
      return;
    }
    this.pending.push({ ...batch, msg, takenAt: Date.now() });
    this.pendingPoints += batch.lines.length;
    this.wakeWriter?.();
  }

  /** How long until the pending batches should be written: 0 now, `Infinity` when there are none. */
  private dueInMs(): number {
    const oldest = this.pending[0];
    if (oldest === undefined) return Number.POSITIVE_INFINITY;
    if (this.pendingPoints >= this.options.influx.batchSize || this.failures > 0) return 0;
    return Math.max(0, oldest.takenAt + this.options.influx.flushIntervalMs - Date.now());
  }

  private async flush(): Promise<void> {
    while (!this.closed) {
      const dueInMs = this.dueInMs();
      if (dueInMs > 0) {
        const wait = pause(Number.isFinite(dueInMs) ? dueInMs : 2 ** 31 - 1);
        this.wakeWriter = wait.cut;
        await wait.done;
        this.wakeWriter = undefined;
        continue;
      }
      const run = this.nextRun();
      try {
        await this.deliver(run);
        this.failures = 0;
        for (const taken of run) this.delivering.delete(taken);
        this.wakePuller?.();
      } catch (error) {
        // Back to the front, in order: the same run is tried again.
        for (const taken of run) this.delivering.delete(taken);
        this.pending.unshift(...run);
        this.pendingPoints += run.reduce((points, taken) => points + taken.lines.length, 0);
        if (!this.closed) await this.backOff(error as Error);
      }
    }
  }

  /** The oldest pending batches, up to `batchSize` points (at least one batch). */
  private nextRun(): Taken[] {
    const run: Taken[] = [];
    let points = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as Taken;
      if (run.length > 0 && points + next.lines.length > this.options.influx.batchSize) break;
      this.pending.shift();
      run.push(next);
      this.delivering.add(next);
      points += next.lines.length;
    }
    this.pendingPoints -= points;
    return run;
  }

  /** Write a run to InfluxDB, record its devices' drained sequences, acknowledge it. */
  private async deliver(run: readonly Taken[]): Promise<void> {
    await this.write(run);
    for (const taken of run) taken.msg.ack();
  }

  /** Each device's entry in the sequences bucket as this drainer last saw or wrote it (a write against a stale one is retried). */
  private readonly records = new Map<string, Revised<DeviceSequence>>();

  /** The devices' entries in the sequences bucket: read if not seen yet, or if a batch is of another epoch than the one seen. */
  private async recordsOf(batches: readonly LinedBatch[]): Promise<void> {
    const stale = new Set<string>();
    for (const { deviceId, epoch } of batches) {
      const record = this.records.get(deviceId);
      if (record === undefined || record.value?.epoch !== epoch) stale.add(deviceId);
    }
    await Promise.all([...stale].map(async (deviceId) => this.records.set(deviceId, await this.sequences.read(deviceId))));
  }

  /** Write batches to InfluxDB and record their devices' drained sequences (before they may leave the stream). */
  private async write(batches: readonly LinedBatch[]): Promise<void> {
    await this.recordsOf(batches);
    // A batch of an older epoch belongs to a device forgotten since: it leaves the stream unwritten.
    const current = batches.filter((batch) => batch.epoch === (this.records.get(batch.deviceId)?.value?.epoch ?? 0));
    if (!this.prepared) {
      await this.prepare();
      this.prepared = true;
    }
    const startedAt = performance.now();
    const lines = current.flatMap((batch) => batch.lines);
    const refused: RefusedLine[] = [];
    const { batchSize } = this.options.influx;
    for (let at = 0; at < lines.length; at += batchSize) await writeIsolating(this.http, lines.slice(at, at + batchSize), refused);
    this.options.metrics.writeSeconds((performance.now() - startedAt) / 1000);
    this.deadLetters.record(refused);
    const drained = new Map<string, LinedBatch>();
    for (const batch of current) if (batch.seq > (drained.get(batch.deviceId)?.seq ?? 0)) drained.set(batch.deviceId, batch);
    await Promise.all(
      Array.from(drained.values(), async ({ deviceId, seq, epoch }) =>
        this.records.set(deviceId, await this.sequences.drained(deviceId, seq, epoch, this.records.get(deviceId))),
      ),
    );
  }

  /** Detect the server's version; on 1.x create the database and retention policy when asked. */
  private async prepare(): Promise<void> {
    const { influx } = this.options;
    const version = await this.http.ping();
    if (influx.createDatabase && version.startsWith("1.")) {
      await this.http.query(createDatabaseQuery(influx.database, influx.retentionPolicy, influx.retentionDuration));
    }
  }

  private async backOff(error: Error): Promise<void> {
    const { metrics, log, influx } = this.options;
    const status = error instanceof InfluxRequestError ? error.status : 0;
    if (error instanceof InfluxRequestError) metrics.writeError(status);
    if (status === 404) this.prepared = false;
    this.failures++;
    const ceiling = Math.min(influx.maxRetryDelayMs, FIRST_RETRY_DELAY_MS * 2 ** Math.min(this.failures - 1, 20));
    const retryAfter = error instanceof InfluxRequestError ? error.retryAfterMs : undefined;
    const delay = Math.max(retryAfter ?? 0, Math.random() * ceiling);
    if (this.failures === 1 || this.failures % 20 === 0) {
      log.warn(
        { reason: error.message, failures: this.failures, heldBatches: this.held(), retryInMs: Math.round(delay) },
        "draining the ingest stream into InfluxDB failed; the batches stay in the stream",
      );
    }
    await this.sleep(delay);
  }

  private async sleep(ms: number): Promise<void> {
    const wait = pause(ms);
    this.backoff = wait.cut;
    await wait.done;
    this.backoff = undefined;
  }

  /**
   * Stop pulling and writing; the write in progress finishes (and is acknowledged). Batches held
   * and not written go back to the stream (`nak`) for another instance at once.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.wakeWriter?.();
    this.wakePuller?.();
    this.backoff?.();
    this.fetching?.stop();
    const patience = pause(PULL_EXPIRES_MS + 500);
    await Promise.race([Promise.all(this.loops), patience.done]);
    patience.cut();
    for (const taken of this.pending) taken.msg.nak();
    this.pending.length = 0;
  }
}
