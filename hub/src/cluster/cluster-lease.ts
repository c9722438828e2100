import type { KV } from "@nats-io/kv";
import type pino from "pino";

/** What a lease tells its holder. */
export interface LeaseListener {
  /** This instance now holds the lease: start the duty. */
  acquired(): void;
  /**
   * This instance no longer holds it (another took it, or NATS was away longer than the lease):
   * stop the duty. When this instance hands the lease on (`stop`), the key is released only once
   * the returned promise settled, so the next holder starts from everything this one wrote.
   */
  lost(): void | Promise<void>;
}

export interface ClusterLeaseOptions {
  /** The bucket's entries expire this long after their last write (the bucket's `ttl`). */
  ttlMs: number;
  log: pino.Logger;
}

/**
 * One cluster-wide duty held by one instance at a time: a key in a JetStream KV bucket whose
 * entries expire after `ttlMs`. The holder renews it every third of that with a compare-and-set
 * on the revision it wrote; the others try to create it at the same pace, which succeeds only once
 * the key is gone (released, or expired because its holder died). A holder that cannot renew
 * for two thirds of `ttlMs` gives the duty up, before its entry expires and another can take it.
 * (A holder paused longer than that, by a stalled machine, may overlap briefly with the next one:
 * the duties are written so that an overlap does no harm, docs/cluster.md.)
 */
export class ClusterLease {
  private revision: number | undefined;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly instanceId: string,
    private readonly listener: LeaseListener,
    private readonly options: ClusterLeaseOptions,
  ) {}

  /** Whether this instance holds the lease now. */
  get held(): boolean {
    return this.revision !== undefined;
  }

  /** Try at once, then every third of the lease. */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** Stop trying; a held lease is released (deleted) so another instance takes it at its next try. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.revision === undefined) return;
    const revision = this.revision;
    this.revision = undefined;
    await this.listener.lost();
    try {
      await this.kv.delete(this.key, { previousSeq: revision });
    } catch {
      // Someone else's already, or NATS is away: it expires by itself.
    }
  }

  private tick(): void {
    this.running = this.attempt().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), Math.max(1, Math.floor(this.options.ttlMs / 3)));
      this.timer.unref();
    });
  }

  private async attempt(): Promise<void> {
    const value = new TextEncoder().encode(JSON.stringify({ instanceId: this.instanceId }));
    const startedAt = Date.now();
    try {
      if (this.revision === undefined) {
        this.revision = await this.kv.create(this.key, value);
        this.renewedAt = startedAt;
        this.options.log.info({ lease: this.key }, "cluster duty taken");
        this.listener.acquired();
      } else {
        this.revision = await this.kv.update(this.key, value, this.revision);
        this.renewedAt = startedAt;
      }
    } catch (error) {
      if (this.revision === undefined) return; // held by another instance: try again later
      // A failed renewal: another instance took the key (our entry expired), or NATS is away.
      const lostToOther = /wrong last sequence/i.test((error as Error).message);
      if (lostToOther || Date.now() - this.renewedAt >= (this.options.ttlMs * 2) / 3) {
        this.options.log.warn({ lease: this.key, err: error }, "cluster duty lost");
        this.drop();
      }
    }
  }

  private drop(): void {
    this.revision = undefined;
    void this.listener.lost();
  }
}
