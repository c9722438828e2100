import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type pino from "pino";
import type { AlarmEngine } from "../alarms/alarm-engine.js";
import type { Duty } from "../deployment/deployment.js";
import { type AlarmFeedSettings, decodeFeedInput, ensureAlarmFeed } from "./alarm-feed.js";
import type { AlarmNames } from "./alarm-names.js";
import { serveAlarmRequests } from "./alarm-requests.js";

export interface ClusterAlarmDutyOptions {
  nats: NatsConnection;
  names: AlarmNames;
  feed: AlarmFeedSettings;
  /** A new engine, each time this instance takes the duty (an engine runs once: start, stop). */
  engine: () => AlarmEngine;
  /** The notification service's sender (`NotificationService`): started with the engine, stopped after it. */
  notifications: { startSending(): Promise<void>; stopSending(): Promise<void> };
  /** Whether a device is connected to any live instance (the engine's `isConnected`). */
  isConnected: (deviceId: string) => boolean;
  /** How often the engine's idea of who is connected is checked against `isConnected` (`cluster.heartbeatIntervalMs`). */
  presenceCheckMs: number;
  log: pino.Logger;
}

/** A start that failed (PostgreSQL or NATS away) is tried again after this, doubling up to {@link MAX_RETRY_START_MS}, while the lease is held. */
const RETRY_START_MS = 1_000;
const MAX_RETRY_START_MS = 30_000;
/** Inputs handed to a new holder's engine before it starts, at most (the rest follow once it runs). */
const MAX_BACKLOG_BEFORE_START = 20_000;
/** Inputs one pull asks for; they are acknowledged together once evaluated. */
const PULL_INPUTS = 500;
/** How long one pull waits for inputs. */
const PULL_EXPIRES_MS = 1_000;
const RETRY_MS = 500;

/**
 * The alarm rules and notifications of a cluster, run by one instance at a time: the holder of
 * the `alarms` lease (`deployment.addDuty("alarms", duty)`). While it holds the duty, the
 * instance answers the alarm requests of every instance (`names.requests`; it subscribes before
 * its engine loads, so no change is missed between the two), evaluates every device's readings
 * and connection changes from the feed stream (`AlarmFeedPublisher` on every instance) through
 * the stream's one durable consumer, acknowledging them once the engine has evaluated them and
 * written the steps (at least once: a new holder is handed what the last did not acknowledge, and
 * the engine treats a reading it already evaluated as late), checks every `presenceCheckMs` that
 * the devices the engine believes connected still are (an instance that died reports no
 * disconnection), and sends the notifications. Stopping evaluates what was handed over, writes
 * every state, then acknowledges. A start that fails is tried again until it succeeds or the duty
 * is stopped.
 */
export class ClusterAlarmDuty implements Duty {
  private turn: Promise<void> = Promise.resolve();
  private run: Run | undefined;
  private wanted = false;
  private failedStarts = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClusterAlarmDutyOptions) {}

  /** Take the duty up; resolves once the engine runs, or once a failed start is logged (it is tried again). */
  start(): Promise<void> {
    this.wanted = true;
    clearTimeout(this.retry);
    this.turn = this.turn
      .then(() => (this.wanted ? this.begin() : undefined))
      .then(
        () => {
          this.failedStarts = 0;
        },
        (error: unknown) => this.startFailed(error),
      );
    return this.turn;
  }

  stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retry);
    this.turn = this.turn.then(() => this.end());
    return this.turn;
  }

  private startFailed(error: unknown): void {
    const delay = Math.min(MAX_RETRY_START_MS, RETRY_START_MS * 2 ** this.failedStarts++);
    this.options.log.error({ err: error, retryInMs: delay }, "the alarm duty could not start; trying again");
    this.retry = setTimeout(() => {
      if (this.wanted) void this.start();
    }, delay);
    this.retry.unref();
  }

  private async begin(): Promise<void> {
    if (this.run) return;
    const { nats, names, log } = this.options;
    const engine = this.options.engine();
    let ready: (engine: AlarmEngine) => void = () => undefined;
    let failed: (error: unknown) => void = () => undefined;
    const started = new Promise<AlarmEngine>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    started.catch(() => undefined);
    const run: Run = { engine, requests: serveAlarmRequests(nats, names.requests, started, log), held: [], active: true };
    this.run = run;
    try {
      await ensureAlarmFeed(await jetstreamManager(nats), names, this.options.feed);
      await this.handBacklog(run);
      // Listening before the engine's first step (its catch-up at start may make some).
      await this.options.notifications.startSending();
      await engine.start();
    } catch (error) {
      failed(error);
      this.run = undefined;
      run.requests.unsubscribe();
      for (const msg of run.held) msg.nak();
      run.held.length = 0;
      await engine.stop().catch(() => undefined);
      await this.options.notifications.stopSending().catch(() => undefined);
      throw error;
    }
    ready(engine);
    run.consuming = this.consume(run);
    run.presenceTimer = setInterval(() => engine.reconcilePresence(), this.options.presenceCheckMs);
    run.presenceTimer.unref();
    log.info("this instance evaluates the alarm rules and sends the notifications");
  }

  private async end(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.active = false;
    clearInterval(run.presenceTimer);
    run.fetching?.stop();
    await run.consuming;
    await run.requests.drain().catch(() => run.requests.unsubscribe());
    await run.engine.stop();
    for (const msg of run.held) msg.ack();
    run.held.length = 0;
    await this.options.notifications.stopSending();
    this.options.log.info("this instance no longer evaluates the alarm rules");
  }

  /**
   * Hand the engine, before it starts, the inputs that waited in the stream while no instance held
   * the duty (up to {@link MAX_BACKLOG_BEFORE_START}): a device whose inputs are queued has its
   * deadlines looked at only once they are evaluated, so the readings of the gap are not missed by
   * a no-data deadline acted on first.
   */
  private async handBacklog(run: Run): Promise<void> {
    const { nats, names } = this.options;
    const consumer = await jetstream(nats).consumers.get(names.feedStream, names.feedConsumer);
    while (run.held.length < MAX_BACKLOG_BEFORE_START && (await consumer.info()).num_pending > 0) {
      const messages = await consumer.fetch({ max_messages: PULL_INPUTS, expires: PULL_EXPIRES_MS });
      for await (const msg of messages) this.hand(run.engine, msg, run);
    }
  }

  /** Pull inputs into the engine; acknowledge each pull's once the engine is idle. */
  private async consume(run: Run): Promise<void> {
    const { nats, names, log } = this.options;
    let failures = 0;
    while (run.active) {
      try {
        const consumer = await jetstream(nats).consumers.get(names.feedStream, names.feedConsumer);
        while (run.active) {
          const messages = await consumer.fetch({ max_messages: PULL_INPUTS, expires: PULL_EXPIRES_MS });
          run.fetching = messages;
          for await (const msg of messages) this.hand(run.engine, msg, run);
          run.fetching = undefined;
          if (run.held.length === 0 || !run.active) continue;
          await run.engine.idle();
          for (const msg of run.held) msg.ack();
          run.held.length = 0;
          failures = 0;
        }
      } catch (error) {
        run.fetching = undefined;
        if (!run.active) return;
        if (failures++ === 0) log.warn({ err: error }, "pulling from the alarm feed failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private hand(engine: AlarmEngine, msg: JsMsg, run: Run): void {
    let input: ReturnType<typeof decodeFeedInput>;
    try {
      input = decodeFeedInput(msg.data);
    } catch (error) {
      this.options.log.error({ err: error, subject: msg.subject }, "an alarm feed message is not an input; dropped");
      msg.term();
      return;
    }
    run.held.push(msg);
    if (input.kind === "readings") engine.readingsStored(input.deviceId, input.readings);
    // A disconnection that a newer session elsewhere has already made up for (it came last, from another instance).
    else if (input.connected || !this.options.isConnected(input.deviceId))
      engine.presenceChanged(input.deviceId, input.connected, input.at);
  }
}

/** One time this instance holds the duty. */
interface Run {
  engine: AlarmEngine;
  requests: Subscription;
  /** Inputs handed to the engine and not acknowledged yet. */
  held: JsMsg[];
  active: boolean;
  consuming?: Promise<void>;
  fetching?: ConsumerMessages;
  presenceTimer?: NodeJS.Timeout;
}
