import type { KV, KvWatchEntry } from "@nats-io/kv";
import type pino from "pino";
import { BucketWatch } from "./bucket-watch.js";
import { type InstanceBeat, MISSED_BEATS } from "./instance-heartbeat.js";
import { decodeJsonObject } from "./json-bytes.js";

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

  constructor(
    private readonly kv: KV,
    private readonly log: pino.Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Start watching; resolves once watching, with a promise of when the beats already in the bucket are known. */
  async start(): Promise<{ caughtUp: Promise<void> }> {
    this.watch = await BucketWatch.start(this.kv, (entry) => this.onEntry(entry), this.log);
    return this.watch;
  }

  stop(): void {
    this.watch?.stop();
  }

  /** Whether `instanceId` is alive, in the life (`bootId`) named. */
  isAlive(instanceId: string, bootId: string): boolean {
    const beat = this.beats.get(instanceId);
    return beat !== undefined && beat.bootId === bootId && this.now() - beat.seenAt < MISSED_BEATS * beat.intervalMs;
  }

  private onEntry(entry: KvWatchEntry): void {
    if (entry.operation !== "PUT") {
      this.beats.delete(entry.key);
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
  }
}
