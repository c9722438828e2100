import type { MetricValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { HubMetrics } from "../metrics.js";
import type { AlarmRepository } from "../storage/alarm-repository.js";
import type { DeviceRecord, DeviceRepository } from "../storage/device-repository.js";
import type { StoredReading, TelemetryStore } from "../storage/telemetry-store.js";
import type { Alarm } from "./alarm.js";
import type { Actor } from "./alarm-api.js";
import { type AlarmRecorder, pairKey, SYSTEM_ACTOR } from "./alarm-recorder.js";
import { DeviceWatches, type MetricWatches, type Watch } from "./device-watches.js";
import type { EvaluationState } from "./evaluation-state.js";
import type { ReadingObserver } from "./reading-observer.js";
import type { ReadingSeries } from "./reading-series.js";
import type { AlarmRule, EvaluationInput } from "./rule.js";
import {
  type AlarmStep,
  advance,
  manualClear,
  newEvaluationState,
  nextDeadline,
  observe,
  observeSeries,
  stateFitsRule,
} from "./rule-evaluator.js";
import { scopedDevice, scopeIncludes } from "./rule-scope.js";
import { StateWriter } from "./state-writer.js";
import { catchUpRange, storedReadings } from "./stored-readings.js";

export interface AlarmEngineDeps {
  repository: AlarmRepository;
  recorder: AlarmRecorder;
  devices: DeviceRepository;
  telemetry: TelemetryStore;
  /** Whether a device is connected now (the gateway). */
  isConnected: (deviceId: string) => boolean;
  config: HubConfig["alarms"];
  /** How far ahead of the hub's clock a reading may be stamped (0: no limit): the end of the catch-up. */
  maxFutureMs: number;
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
}

/** What one device's queue holds: a stored batch's readings, or a connection change. */
type QueuedInput =
  | { kind: "readings"; readings: readonly StoredReading[]; queuedAt: number }
  | { kind: "presence"; connected: boolean; at: number };

/** When a drain is due: once the current turn of the event loop is over, or on a later turn. */
type DrainTurn = "afterThisTurn" | "nextTurn";

/** Devices read per page at start. */
const DEVICE_PAGE = 1_000;
/** Stored values read per page by the catch-up. */
const CATCH_UP_PAGE = 10_000;
/** Stored readings evaluated together by the catch-up (as a batch is, rule by rule). */
const CATCH_UP_SLICE = 500;
/** Longest the engine evaluates in one turn of the event loop before it lets I/O in. */
const SLICE_MS = 5;
/**
 * Longest it evaluates right after a group commit handed it batches: under full ingest a group
 * commit's batches took more than 5 ms to evaluate now and then, and evaluation fell behind
 * (batches waited up to 0.7 s). This is time taken after that group's acks, in proportion to it.
 */
const AFTER_COMMIT_SLICE_MS = 20;

/**
 * Live evaluation of the alarm rules. Readings and connection changes come in from the gateway
 * (after the acknowledgement: `readingsStored` only queues them) and are evaluated once the caller's
 * turn is over (the group commit's acks are out), up to 20 ms at a time, the rest on later turns,
 * per device in arrival order, against the rules that watch the device (resolved
 * once per device and kept until the device or a rule changes). A timer acts on deadlines
 * (durations, no data, offline, quiet periods, re-raises). Steps go to the {@link AlarmRecorder},
 * one at a time per (rule, device).
 *
 * States live in memory; changed ones are written every `alarms.stateFlushMs`, after each step, and
 * at stop. At start the saved states are loaded and the readings stored after each one's watermark
 * are replayed, so a reading acknowledged just before a crash is evaluated after it.
 */
export class AlarmEngine implements ReadingObserver {
  private readonly rules = new Map<string, AlarmRule>();
  /** Some rule is enabled: without one, readings are not even queued. */
  private anyEnabled = false;
  private readonly watched = new Map<string, DeviceWatches>();
  private readonly watches = new Map<string, Watch>();
  private readonly queued = new Map<string, QueuedInput[]>();
  /** Per device: when its readings last arrived (hub time) and their newest stamp (device time). */
  private readonly arrivals = new Map<string, { at: number; newestTs: number }>();
  private readonly loading = new Set<string>();
  /** When each deleted device was deleted (a count): a record read before that must not bring it back. */
  private readonly deletions = new Map<string, number>();
  private deletionCount = 0;
  private readonly writing = new Set<Promise<void>>();
  /** A drain is due after the current turn (new inputs), or on a later turn (a backlog's rest, a device loaded). */
  private readonly drainsDue: Record<DrainTurn, boolean> = { afterThisTurn: false, nextTurn: false };
  private started = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | undefined;
  private flusher: NodeJS.Timeout | undefined;

  private readonly states: StateWriter;
  /**
   * One metric's readings of the batch being evaluated, and their stamps alone: buffers filled per
   * batch up to `count` and never shrunk (a cleared array gives up its storage, and refilling it
   * allocates again on every batch); nothing keeps them.
   */
  private readonly series = { ts: [] as number[], values: [] as MetricValue[], count: 0 };
  private readonly stamps = { ts: this.series.ts, count: 0 };

  constructor(private readonly deps: AlarmEngineDeps) {
    this.states = new StateWriter(deps.repository, (watch) => this.watches.get(watch.key) === watch, deps.log);
  }

  /** Load rules, devices, active alarms and states; replay what was stored after the states; start the timers. */
  async start(): Promise<void> {
    const { repository, recorder, config, log } = this.deps;
    for (const rule of await repository.allRules()) this.rules.set(rule.id, rule);
    this.rulesChanged();
    await recorder.load();
    const lastSeen = new Map<string, number | null>();
    for (let offset = 0; ; offset += DEVICE_PAGE) {
      const page = await this.deps.devices.list({ limit: DEVICE_PAGE, offset, sort: "id", order: "asc" });
      for (const device of page.items) {
        this.watched.set(device.id, new DeviceWatches(scopedDevice(device)));
        lastSeen.set(device.id, device.lastSeenAt);
      }
      if (page.items.length < DEVICE_PAGE) break;
    }
    const saved = new Map<string, EvaluationState>();
    for (const state of await repository.loadStates()) saved.set(pairKey(state.ruleId, state.deviceId), state);
    const replay: DeviceWatches[] = [];
    for (const watches of this.watched.values()) {
      this.rescope(watches, { saved });
      if (watches.all.some((watch) => saved.has(watch.key))) replay.push(watches);
      // A single node starts before its gateway: no device is connected, a running offline clock
      // goes on, one that was not running (the device was connected) starts at its last-seen time.
      // In a cluster a device may be connected to an instance: then it is connected now.
      const seen = lastSeen.get(watches.device.id) ?? null;
      const connected = watches.presence.length > 0 && this.deps.isConnected(watches.device.id);
      for (const watch of watches.presence) {
        if (!watch.state) continue;
        const at = connected ? this.deps.now() : Math.max(seen ?? watch.state.since, watch.state.since);
        this.feed(watch, { kind: "presence", connected, at });
      }
    }
    const orphans = [...saved.values()].filter((state) => !this.watches.has(pairKey(state.ruleId, state.deviceId)));
    if (orphans.length > 0)
      await repository.saveStates(
        [],
        orphans.map(({ ruleId, deviceId }) => ({ ruleId, deviceId })),
      );
    const started = Date.now();
    let readings = 0;
    for (const watches of replay) readings += await this.catchUp(watches, saved);
    if (readings > 0)
      log.info({ readings, devices: replay.length, ms: Date.now() - started }, "alarm rules caught up with stored readings");
    this.deps.metrics.alarmCounts = () => recorder.openCounts();
    this.started = true;
    this.ticker = setInterval(() => this.tick(), config.tickMs);
    this.ticker.unref();
    this.flusher = setInterval(() => void this.states.flush(), config.stateFlushMs);
    this.flusher.unref();
    this.drain();
  }

  /** Evaluate what is queued, write every step and state; nothing is evaluated after. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.ticker);
    clearInterval(this.flusher);
    // Devices whose record is being read get theirs first; a device that is gone loses its inputs.
    for (let round = 0; round < 3 && this.started && this.queued.size > 0; round++) {
      await Promise.all([...this.queued.keys()].map((id) => this.loadDevice(id)));
      this.drain(Number.POSITIVE_INFINITY);
    }
    this.stopped = true;
    while (this.writing.size > 0) await Promise.all(this.writing);
    await this.states.flush();
  }

  /** Resolves once nothing is queued and every step and state is written (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    while (this.queued.size > 0 || this.writing.size > 0 || this.loading.size > 0) {
      if (this.writing.size > 0) await Promise.all(this.writing);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  readingsStored(deviceId: string, readings: readonly StoredReading[]): void {
    if (!this.anyEnabled && this.started) return;
    const watches = this.watched.get(deviceId);
    if (watches !== undefined && watches.all.length === 0 && !watches.stale) return;
    this.noteArrival(deviceId, readings);
    this.enqueue(deviceId, { kind: "readings", readings, queuedAt: performance.now() });
  }

  /** When the device's readings last arrived, and the newest stamp among them (device time). */
  private noteArrival(deviceId: string, readings: readonly StoredReading[]): void {
    let arrival = this.arrivals.get(deviceId);
    if (arrival === undefined) {
      arrival = { at: 0, newestTs: Number.NEGATIVE_INFINITY };
      this.arrivals.set(deviceId, arrival);
    }
    arrival.at = this.deps.now();
    for (const reading of readings) if (reading.ts > arrival.newestTs) arrival.newestTs = reading.ts;
  }

  /**
   * Whether readings from before `deadline` may still be on their way: the device's readings keep
   * arriving (the last less than `alarms.lateGraceMs` ago) and none so far reached the deadline,
   * as when a device uploads the buffer it kept while offline. Its deadline then waits for them
   * (a reading past it acts on it), instead of raising on a spike whose end has not arrived yet.
   */
  private readingsOnTheirWay(deviceId: string, deadline: number, hubNow: number): boolean {
    const arrival = this.arrivals.get(deviceId);
    return arrival !== undefined && arrival.newestTs < deadline && hubNow - arrival.at < this.deps.config.lateGraceMs;
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    const watches = this.watched.get(deviceId);
    // A connection may bring a profile (given at hello) or follow a change made while away.
    if (connected && watches) watches.stale = true;
    if (!this.anyEnabled && this.started && !connected) return;
    this.enqueue(deviceId, { kind: "presence", connected, at });
  }

  /**
   * Bring the offline rules' idea of each device's connection in line with `isConnected` (in a
   * cluster, where connection changes come from several instances and an instance that died
   * reports none): a device believed connected that is not is disconnected from now, one believed
   * disconnected that is connected is connected from now.
   */
  reconcilePresence(): void {
    if (!this.started || this.stopped) return;
    const at = this.deps.now();
    for (const watches of this.watched.values()) {
      const state = watches.presence.find((candidate) => candidate.state !== null)?.state;
      if (!state || this.queued.has(watches.device.id)) continue;
      const believed = (state.detail as { disconnectedAt?: number | null }).disconnectedAt == null;
      const connected = this.deps.isConnected(watches.device.id);
      if (believed !== connected) this.enqueue(watches.device.id, { kind: "presence", connected, at });
    }
  }

  private rulesChanged(): void {
    this.anyEnabled = [...this.rules.values()].some((rule) => rule.enabled);
  }

  /** A rule was created or changed: its evaluation starts afresh on every device it now watches. */
  ruleSaved(rule: AlarmRule): void {
    this.rules.set(rule.id, rule);
    this.rulesChanged();
    const reason = rule.enabled ? "the rule no longer applies to the device" : "rule disabled";
    for (const watches of this.watched.values()) this.rescope(watches, { ruleId: rule.id, reason });
    // Pairs on devices not loaded (none, normally) are cleared too.
    if (!rule.enabled) void this.clearAll(this.deps.recorder.activeOf({ ruleId: rule.id }), reason);
  }

  /** A rule was deleted (its states with it): its active alarms are cleared by `system`. */
  async ruleDeleted(ruleId: string): Promise<void> {
    this.rules.delete(ruleId);
    this.rulesChanged();
    for (const watches of this.watched.values()) this.rescope(watches, { ruleId, reason: "rule deleted" });
    await this.clearAll(this.deps.recorder.activeOf({ ruleId }), "rule deleted");
  }

  /** A device's record changed (labels, profile, created): its rules are resolved again. */
  async deviceChanged(deviceId: string): Promise<void> {
    await this.loadDevice(deviceId, true);
  }

  /** A device was deleted: its states are dropped and its active alarms cleared by `system`. */
  async deviceDeleted(deviceId: string): Promise<void> {
    const watches = this.watched.get(deviceId);
    this.deletions.set(deviceId, ++this.deletionCount);
    this.watched.delete(deviceId);
    this.queued.delete(deviceId);
    this.arrivals.delete(deviceId);
    if (watches) this.drop(watches.all);
    const open = new Map<string, Alarm>();
    for (const alarm of await this.deps.repository.activeAlarms({ deviceId })) open.set(alarm.id, alarm);
    for (const alarm of this.deps.recorder.activeOf({ deviceId })) open.set(alarm.id, alarm);
    await this.clearAll([...open.values()], "device deleted");
  }

  /**
   * Someone clears an alarm. The evaluator forgets it at once (its re-raise clock starts), so no
   * step computed from now on refers to it; the clear itself is written in the pair's turn.
   */
  async clear(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm> {
    const { recorder, repository } = this.deps;
    const watch = this.watches.get(pairKey(alarm.ruleId, alarm.deviceId));
    // One instant for both: the re-raise clock starts when the transition says the alarm was cleared.
    const at = this.deps.now();
    if (watch?.state && recorder.activeAlarm(alarm.ruleId, alarm.deviceId)?.id === alarm.id && watch.state.alarmSeverity !== null) {
      manualClear(watch.rule, watch.state, at);
      this.touch(watch);
    }
    return recorder.inTurn(alarm.ruleId, alarm.deviceId, async () => {
      const current = (await repository.getAlarm(alarm.id)) ?? alarm;
      const cleared = await recorder.clear(current, actor, comment, at);
      // Written now unless steps computed after the clear are still to be written (they write it).
      if (watch?.state && watch.pendingSteps === 0 && this.watches.get(watch.key) === watch) {
        await this.states.writeNow(watch.state, watch);
      }
      return cleared;
    });
  }

  /** Someone acknowledges an alarm, in its pair's turn. */
  acknowledge(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm> {
    const { recorder, repository } = this.deps;
    return recorder.inTurn(alarm.ruleId, alarm.deviceId, async () => {
      const current = (await repository.getAlarm(alarm.id)) ?? alarm;
      return recorder.acknowledge(current, actor, comment);
    });
  }

  private enqueue(deviceId: string, input: QueuedInput): void {
    const queue = this.queued.get(deviceId);
    if (queue) queue.push(input);
    else this.queued.set(deviceId, [input]);
    this.scheduleDrain("afterThisTurn");
  }

  /**
   * Evaluate the devices' queued inputs in arrival order (loading unknown or changed devices'
   * records first), for at most {@link SLICE_MS} per turn of the event loop: a backlog never holds
   * up the sockets (acks, other devices' frames) for longer than that.
   */
  private drain(sliceMs = SLICE_MS, due?: DrainTurn): void {
    if (due) this.drainsDue[due] = false;
    if (this.stopped) return;
    const until = performance.now() + sliceMs;
    for (const [deviceId, inputs] of this.queued) {
      const watches = this.watched.get(deviceId);
      if (watches === undefined || watches.stale) {
        void this.loadDevice(deviceId);
        continue;
      }
      let done = 0;
      while (done < inputs.length) {
        const input = inputs[done++] as QueuedInput;
        if (input.kind === "readings") {
          this.observeReadings(watches, input.readings);
          this.deps.metrics.alarmEvaluationLag.observe((performance.now() - input.queuedAt) / 1000);
        } else {
          for (const watch of watches.presence) this.feed(watch, { kind: "presence", connected: input.connected, at: input.at });
        }
        if (performance.now() > until) break;
      }
      if (done < inputs.length) {
        inputs.splice(0, done);
        this.scheduleDrain();
        return;
      }
      this.queued.delete(deviceId);
    }
  }

  /**
   * Drain on a later turn of the event loop (a backlog's rest, a device just loaded), or, for new
   * inputs, once the caller's turn is over, whether or not a later drain is due too: the group
   * commit that acknowledged batches hands their readings over, and they are evaluated before the
   * next socket's frames are read. Acks are out by then. Evaluated only on later turns, 5 ms each,
   * evaluation fell behind under full ingest (batches queued for up to 0.7 s), and readings kept
   * that long live through young-generation collections (the hub runs with a 2 MiB young
   * generation), which cost more than evaluating them.
   */
  private scheduleDrain(when: DrainTurn = "nextTurn"): void {
    if (this.drainsDue[when] || !this.started || this.stopped) return;
    this.drainsDue[when] = true;
    if (when === "afterThisTurn") queueMicrotask(() => this.drain(AFTER_COMMIT_SLICE_MS, when));
    else setImmediate(() => this.drain(SLICE_MS, when));
  }

  /**
   * Evaluate a device's readings (oldest first): each rule over the whole series of its metric's
   * values (or of the stamps, for no data of any metric) at once. The pairs are independent, so
   * each keeps its order of readings, and the evaluator skips what cannot matter in a series.
   */
  private observeReadings(watches: DeviceWatches, readings: readonly StoredReading[]): void {
    const { byMetric, anyReading } = watches;
    const { series, stamps } = this;
    const { ts, values } = series;
    for (let i = 0; i < byMetric.length; i++) {
      const { metric, watches: group } = byMetric[i] as MetricWatches;
      let count = 0;
      for (let k = 0; k < readings.length; k++) {
        const reading = readings[k] as StoredReading;
        const value = reading.metrics[metric];
        if (value === undefined) continue;
        ts[count] = reading.ts;
        values[count++] = value;
      }
      if (count === 0) continue;
      series.count = count;
      for (let j = 0; j < group.length; j++) this.feed(group[j] as Watch, series);
    }
    if (anyReading.length === 0 || readings.length === 0) return;
    for (let k = 0; k < readings.length; k++) ts[k] = (readings[k] as StoredReading).ts;
    stamps.count = readings.length;
    for (let j = 0; j < anyReading.length; j++) this.feed(anyReading[j] as Watch, stamps);
  }

  /** Readings, or a connection change, into one pair's evaluation. */
  private feed(watch: Watch, input: ReadingSeries | EvaluationInput): void {
    const state = watch.state ?? this.startState(watch);
    let steps: readonly AlarmStep[];
    try {
      steps = "kind" in input ? observe(watch.rule, state, input) : observeSeries(watch.rule, state, input);
    } catch (error) {
      this.failed(watch, error);
      return;
    }
    watch.failing = false;
    this.touch(watch);
    if (steps.length > 0) this.record(watch, steps);
  }

  /**
   * Act on every deadline the hub's clock has passed by `alarms.lateGraceMs`: read on the device's
   * clock (its skew at hello) for rules on readings, whose deadlines are in device time, so that a
   * device whose clock is behind does not see its durations end before its readings arrive.
   */
  private tick(): void {
    if (this.stopped) return;
    // Readings already here are evaluated before any deadline they may stop; a device whose
    // readings are still queued (a backlog) has its deadlines looked at next time.
    this.drain();
    const hubNow = this.deps.now();
    const hubUntil = hubNow - this.deps.config.lateGraceMs;
    for (const watch of this.watches.values()) {
      const { state, rule } = watch;
      if (state === null || this.queued.has(watch.deviceId)) continue;
      const until = rule.condition.kind === "offline" ? hubUntil : hubUntil + (this.watched.get(watch.deviceId)?.device.clockSkewMs ?? 0);
      let steps: readonly AlarmStep[];
      try {
        if (watch.due === undefined) watch.due = nextDeadline(rule, state);
        if (watch.due === null || watch.due > until) continue;
        if (rule.condition.kind !== "offline" && this.readingsOnTheirWay(watch.deviceId, watch.due, hubNow)) continue;
        steps = advance(rule, state, until);
      } catch (error) {
        this.failed(watch, error);
        continue;
      }
      this.touch(watch);
      if (steps.length > 0) this.record(watch, steps);
    }
  }

  private failed(watch: Watch, error: unknown): void {
    watch.due = undefined;
    if (watch.failing) return;
    watch.failing = true;
    this.deps.log.error(
      { err: error, ruleId: watch.rule.id, deviceId: watch.deviceId },
      "alarm rule failed on a device; its input is skipped",
    );
  }

  private touch(watch: Watch): void {
    watch.due = undefined;
    this.states.changed(watch);
  }

  /**
   * Write the steps in the pair's turn, then the state as it was right after them: the saved state
   * is never ahead of the stored alarms by more than the step being written (a replay after a
   * crash repeats at most that one, which the recorder recognises).
   */
  private record(watch: Watch, steps: readonly AlarmStep[]): void {
    const { recorder, log } = this.deps;
    const snapshot = JSON.stringify(watch.state);
    const profileId = this.watched.get(watch.deviceId)?.device.profileId ?? null;
    watch.pendingSteps++;
    const written = recorder
      .inTurn(watch.rule.id, watch.deviceId, async () => {
        try {
          await recorder.applySteps(watch.rule, watch.deviceId, profileId, steps);
        } catch (error) {
          log.error({ err: error, ruleId: watch.rule.id, deviceId: watch.deviceId }, "could not store an alarm step");
          // With nothing else to write, the evaluator is told what is stored: a level still held raises again.
          const { state } = watch;
          if (state && watch.pendingSteps === 1) {
            const active = recorder.activeAlarm(watch.rule.id, watch.deviceId);
            state.alarmId = active?.id ?? null;
            state.alarmSeverity = active?.severity ?? null;
            this.touch(watch);
          }
          return;
        }
        const active = recorder.activeAlarm(watch.rule.id, watch.deviceId);
        if (watch.state) watch.state.alarmId = watch.state.alarmSeverity === null ? null : (active?.id ?? null);
        if (this.watches.get(watch.key) !== watch) return;
        const state = JSON.parse(snapshot) as EvaluationState;
        state.alarmId = state.alarmSeverity === null ? null : (active?.id ?? null);
        await this.states.writeNow(state);
      })
      .catch((error: unknown) =>
        log.error({ err: error, ruleId: watch.rule.id, deviceId: watch.deviceId }, "could not save an alarm state"),
      )
      .finally(() => {
        watch.pendingSteps--;
        this.writing.delete(written);
      });
    this.writing.add(written);
  }

  /**
   * Read the device's record and resolve its rules again (`force`: even if it is known and not
   * stale); a device that no longer exists loses its queued inputs.
   */
  private async loadDevice(deviceId: string, force = false): Promise<void> {
    const known = this.watched.get(deviceId);
    if (!force && known && !known.stale) return;
    if (this.loading.has(deviceId) && !force) return;
    this.loading.add(deviceId);
    const readFrom = this.deletionCount;
    let record: DeviceRecord | undefined;
    try {
      record = await this.deps.devices.get(deviceId);
    } catch (error) {
      this.deps.log.error({ err: error, deviceId }, "could not read a device for its alarm rules");
    } finally {
      this.loading.delete(deviceId);
    }
    if (record === undefined || (this.deletions.get(deviceId) ?? 0) > readFrom) {
      this.queued.delete(deviceId);
      return;
    }
    const watches = this.watched.get(deviceId) ?? new DeviceWatches(scopedDevice(record));
    watches.device = scopedDevice(record);
    watches.stale = false;
    this.watched.set(deviceId, watches);
    this.rescope(watches);
    if (this.queued.has(deviceId)) this.scheduleDrain();
  }

  /**
   * Resolve which rules watch a device (only `ruleId` when given, after that rule changed): new pairs
   * get a state (the saved one at start, else a fresh one that carries on the pair's active alarm),
   * pairs whose rule changed restart, and pairs that ended lose their state and have their active
   * alarm cleared by `system` with `reason`.
   */
  private rescope(
    watches: DeviceWatches,
    options: { saved?: ReadonlyMap<string, EvaluationState>; ruleId?: string; reason?: string } = {},
  ): void {
    const { device } = watches;
    const { saved, ruleId } = options;
    const next: Watch[] = [];
    const ended: Watch[] = [];
    const resolve = (rule: AlarmRule | undefined, current: Watch | undefined): void => {
      if (rule === undefined || !rule.enabled || !scopeIncludes(rule.scope, device)) {
        if (current) ended.push(current);
        return;
      }
      if (current?.rule === rule) {
        next.push(current);
        return;
      }
      const key = pairKey(rule.id, device.id);
      const watch: Watch = { rule, deviceId: device.id, key, state: null, dirty: false, due: undefined, pendingSteps: 0, failing: false };
      this.watches.set(key, watch);
      const state = saved?.get(key);
      if (state && stateFitsRule(rule, state)) watch.state = state;
      else if (rule.condition.kind !== "metric") this.startState(watch);
      next.push(watch);
    };
    if (ruleId === undefined) {
      const kept = new Set<Watch>();
      for (const rule of this.rules.values()) {
        const current = watches.of(rule.id);
        if (current) kept.add(current);
        resolve(rule, current);
      }
      for (const watch of watches.all) if (!kept.has(watch)) ended.push(watch);
    } else {
      for (const watch of watches.all) if (watch.rule.id !== ruleId) next.push(watch);
      resolve(this.rules.get(ruleId), watches.of(ruleId));
    }
    watches.replaceAll(next);
    if (ended.length === 0) return;
    this.drop(ended);
    const alarms = ended
      .map((watch) => this.deps.recorder.activeAlarm(watch.rule.id, watch.deviceId))
      .filter((alarm): alarm is Alarm => alarm !== undefined);
    if (alarms.length > 0) void this.clearAll(alarms, options.reason ?? "the rule no longer applies to the device");
  }

  /** A fresh state for a pair: it carries on the pair's active alarm, if any; offline rules start their clock. */
  private startState(watch: Watch): EvaluationState {
    const now = this.deps.now();
    const state = newEvaluationState(watch.rule, watch.deviceId, now);
    const active = this.deps.recorder.activeAlarm(watch.rule.id, watch.deviceId);
    if (active) {
      state.alarmId = active.id;
      state.alarmSeverity = active.severity;
    }
    watch.state = state;
    this.touch(watch);
    // An offline rule's state starts disconnected (since now): a connected device says otherwise.
    if (watch.rule.condition.kind === "offline" && this.deps.isConnected(watch.deviceId)) {
      this.feed(watch, { kind: "presence", connected: true, at: now });
    }
    return state;
  }

  /** Forget pairs (their states are deleted from the store too). */
  private drop(ended: readonly Watch[]): void {
    const removed: { ruleId: string; deviceId: string }[] = [];
    for (const watch of ended) {
      if (this.watches.get(watch.key) !== watch) continue;
      this.watches.delete(watch.key);
      removed.push({ ruleId: watch.rule.id, deviceId: watch.deviceId });
    }
    if (removed.length === 0) return;
    this.deps.repository.saveStates([], removed).catch((error: unknown) => {
      this.deps.log.error({ err: error, states: removed.length }, "could not delete alarm evaluation states");
    });
  }

  /** Clear alarms by `system` (each in its pair's turn); stop and `idle` wait for it. */
  private async clearAll(alarms: readonly Alarm[], comment: string): Promise<void> {
    const { recorder, repository, log } = this.deps;
    const cleared = Promise.all(
      alarms.map((alarm) =>
        recorder
          .inTurn(alarm.ruleId, alarm.deviceId, async () =>
            recorder.clear((await repository.getAlarm(alarm.id)) ?? alarm, SYSTEM_ACTOR, comment),
          )
          .catch((error: unknown) => log.error({ err: error, alarmId: alarm.id }, "could not clear an alarm")),
      ),
    ).then(() => undefined);
    const tracked = cleared.finally(() => this.writing.delete(tracked));
    this.writing.add(tracked);
    await tracked;
  }

  /** Replay the device's readings stored after its saved states' watermarks; answers how many. */
  private async catchUp(watches: DeviceWatches, saved: ReadonlyMap<string, EvaluationState>): Promise<number> {
    const { config, telemetry, maxFutureMs, log } = this.deps;
    const resumed = watches.all.flatMap((watch) => (watch.state !== null && saved.get(watch.key) === watch.state ? [watch.state] : []));
    const range = catchUpRange(resumed, this.deps.now(), config.maxCatchUpMs, maxFutureMs);
    if (range === undefined) return 0;
    let count = 0;
    let page: StoredReading[] = [];
    try {
      const query = { deviceId: watches.device.id, metrics: watches.metricsRead(), ...range };
      for await (const reading of storedReadings(telemetry, query, CATCH_UP_PAGE)) {
        page.push(reading);
        if (page.length < CATCH_UP_SLICE) continue;
        this.observeReadings(watches, page);
        count += page.length;
        page = [];
      }
    } catch (error) {
      log.error({ err: error, deviceId: watches.device.id }, "could not read stored readings back for the alarm rules");
    }
    // What was read before a failure is evaluated too.
    this.observeReadings(watches, page);
    return count + page.length;
  }
}
