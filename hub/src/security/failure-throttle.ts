/**
 * Backoff on repeated authentication failures per client address: after `maxFailures` failures
 * within `windowMs`, the address is refused for `blockMs` without its credentials even being
 * checked, so guessing tokens or keys gets nowhere. Bounded: at most `maxTracked` addresses are
 * remembered (the oldest forgotten first).
 */
export class FailureThrottle {
  private readonly entries = new Map<string, { windowStart: number; failures: number; blockedUntil: number }>();

  constructor(
    private readonly options: { maxFailures: number; windowMs: number; blockMs: number; maxTracked?: number },
    private readonly now: () => number,
  ) {}

  /** Milliseconds the address must still wait, 0 if it may try. */
  blockedFor(address: string): number {
    const entry = this.entries.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  failed(address: string): void {
    const now = this.now();
    let entry = this.entries.get(address);
    if (!entry || now - entry.windowStart > this.options.windowMs) {
      this.entries.delete(address);
      entry = { windowStart: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 };
      this.entries.set(address, entry);
      if (this.entries.size > (this.options.maxTracked ?? 10_000)) this.entries.delete(this.entries.keys().next().value as string);
    }
    entry.failures++;
    if (entry.failures >= this.options.maxFailures) entry.blockedUntil = now + this.options.blockMs;
  }

  succeeded(address: string): void {
    const entry = this.entries.get(address);
    if (entry && entry.blockedUntil <= this.now()) this.entries.delete(address);
  }
}
