import type { KV, KvWatchEntry } from "@nats-io/kv";
import type pino from "pino";
import { BucketWatch } from "./bucket-watch.js";
import { type InstanceBeat, MISSED_BEATS } from "./instance-heartbeat.js";
import { decodeJsonObject } from "./json-bytes.js";

/** How often the beats are checked for instances that stopped beating. */
const SWEEP_MS = 1_000;

/** An instance's last beat, and when it was seen (this instance's clock). */
interface SeenBeat {
  bootId: string;
  intervalMs: number;
  seenAt: number;
}

/**
 * Which instances are alive: those whose heartbeat (the instances bucket) was seen within
 * {@link MISSED_BEATS} of their beat interval. Kept in memory from a watch of the bucket.
 * Expired entries send no notice, so an instance's death is noticed by its silence.
 */
export class InstanceRegistry {
  private readonly beats = new Map<string, SeenBeat>();
  private watch: BucketWatch | undefined;
  private readonly leftListeners = new Set<(instanceId: string) => void>();
  /** Instances already told to have left (until they beat again). */
  private readonly gone = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KV,
    private readonly log: pino.Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Start watching; resolves once watching, with a promise of when the beats already in the bucket are known. */
  async start(): Promise<{ caughtUp: Promise<void> }> {
    this.watch = await BucketWatch.start(this.kv, (entry) => this.onEntry(entry), this.log);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    return this.watch;
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.watch?.stop();
  }

  /**
   * Call `listener` with an instance's id when it stops being alive: it left (its entry deleted)
   * or its beats stopped (noticed within a second of the last missed beat). Once per departure;
   * an instance that beats again can leave again. Answers how to stop listening.
   */
  onLeft(listener: (instanceId: string) => void): () => void {
    this.leftListeners.add(listener);
    return () => this.leftListeners.delete(listener);
  }

  private sweep(): void {
    const now = this.now();
    for (const [instanceId, beat] of this.beats) {
      if (now - beat.seenAt >= MISSED_BEATS * beat.intervalMs) this.left(instanceId);
    }
  }

  private left(instanceId: string): void {
    if (this.gone.has(instanceId)) return;
    this.gone.add(instanceId);
    for (const listener of this.leftListeners) {
      try {
        listener(instanceId);
      } catch (error) {
        this.log.error({ err: error, instanceId }, "an instance-left listener failed");
      }
    }
  }

  /** Whether `instanceId` is alive, in the life (`bootId`) named. */
  isAlive(instanceId: string, bootId: string): boolean {
    const beat = this.beats.get(instanceId);
    return beat !== undefined && beat.bootId === bootId && this.now() - beat.seenAt < MISSED_BEATS * beat.intervalMs;
  }

  private onEntry(entry: KvWatchEntry): void {
    if (entry.operation !== "PUT") {
      if (this.beats.delete(entry.key)) this.left(entry.key);
      return;
    }
    const beat = decodeJsonObject(entry.value) as Partial<InstanceBeat> | undefined;
    if (typeof beat?.bootId !== "string" || typeof beat.intervalMs !== "number" || !(beat.intervalMs > 0)) {
      this.log.warn({ key: entry.key }, "an instance heartbeat is not one; ignored");
      return;
    }
    // A beat from before this watch began is as old as the bucket says (the server's clock), not new.
    const now = this.now();
    const seenAt = entry.isUpdate ? now : Math.min(now, entry.created.getTime());
    this.beats.set(entry.key, { bootId: beat.bootId, intervalMs: beat.intervalMs, seenAt });
    if (now - seenAt < MISSED_BEATS * beat.intervalMs) this.gone.delete(entry.key);
  }
}
