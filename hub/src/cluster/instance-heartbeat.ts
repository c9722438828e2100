import type { KV } from "@nats-io/kv";
import type pino from "pino";
import { encodeJson } from "./json-bytes.js";

/** An instance's entry in the instances bucket (`<p>_instances`, key: its instance id). */
export interface InstanceBeat {
  instanceId: string;
  /** A random id per process start: what a presence claim names, so a restarted instance's old claims are not its. */
  bootId: string;
  /** How often this instance beats: it counts as dead after {@link MISSED_BEATS} of them without one. */
  intervalMs: number;
  /** When the beat was written (the writer's clock; for people reading the bucket). */
  at: number;
}

/** Beats an instance may miss before the others count it as dead (its claims as absent). */
export const MISSED_BEATS = 3;

/**
 * This instance's heartbeat: its {@link InstanceBeat} written into the instances bucket every
 * `intervalMs` (the bucket's entries expire after {@link MISSED_BEATS} beats). Stopping deletes
 * the entry, so the others count the instance as gone at once rather than after the missed beats.
 */
export class InstanceHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly kv: KV,
    private readonly beat: Omit<InstanceBeat, "at">,
    private readonly log: pino.Logger,
  ) {}

  /** Beat now (resolves once written, or failed), then every `intervalMs`. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.beatOnce(), this.beat.intervalMs);
    this.timer.unref();
    return this.beatOnce();
  }

  /** Beat now (after NATS came back: the others may have counted this instance as dead meanwhile). */
  beatOnce(): Promise<void> {
    this.beating = this.kv.put(this.beat.instanceId, encodeJson({ ...this.beat, at: Date.now() })).then(
      () => {
        if (this.failing) this.log.info("heartbeat written again");
        this.failing = false;
      },
      (error: unknown) => {
        // Once per outage: the connection's own log says the rest.
        if (!this.failing) this.log.warn({ err: error }, "could not write this instance's heartbeat");
        this.failing = true;
      },
    );
    return this.beating;
  }

  /** Stop beating and delete the entry (best effort: unanswered, it expires). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    try {
      await this.kv.delete(this.beat.instanceId);
    } catch {
      // NATS is away: the entry expires by itself.
    }
  }
}
