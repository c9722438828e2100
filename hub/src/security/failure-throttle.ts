/** Limits of a {@link FailureThrottle}. */
export interface FailureThrottleOptions {
  /** Failures of one identity from one address within `windowMs` before that pair is refused. */
  maxFailures: number;
  /** Failures of any identity from one address within `windowMs` before the address is refused for identities it has not proved. */
  maxFailuresPerAddress: number;
  windowMs: number;
  /** How long a pair, or an address's unproved identities, are refused. */
  blockMs: number;
  /** Most pairs, addresses and proved identities remembered (each map; the oldest forgotten first). Default 10,000. */
  maxTracked?: number;
}

interface Failures {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

/**
 * Backoff on repeated authentication failures, keyed by *who* (a device id, an API key id, a
 * user name; `anonymous` for no credential) and *from where* (the client address). A pair that
 * fails `maxFailures` times in a window is refused for `blockMs` without its credentials being
 * checked, so guessing one identity's secret gets nowhere, while every other identity from the
 * same address (a NAT, a reverse proxy) is still served. An address that sprays failures over
 * many identities (`maxFailuresPerAddress`) is refused too, but only for identities that have
 * not authenticated from it before: the address's good users go on working. A success clears
 * only its own pair's failures.
 */
export class FailureThrottle {
  private readonly pairs = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();
  /** `address \n identity` of every pair that succeeded. */
  private readonly proved = new Set<string>();

  constructor(
    private readonly options: FailureThrottleOptions,
    private readonly now: () => number,
  ) {}

  /** Milliseconds the identity must still wait before it may try from this address; 0 if it may try now. */
  blockedFor(identity: string, address: string): number {
    const now = this.now();
    const key = pairKey(identity, address);
    const pair = this.pairs.get(key)?.blockedUntil ?? 0;
    const sprayed = this.proved.has(key) ? 0 : (this.addresses.get(address)?.blockedUntil ?? 0);
    return Math.max(0, pair - now, sprayed - now);
  }

  failed(identity: string, address: string): void {
    const now = this.now();
    this.count(this.pairs, pairKey(identity, address), this.options.maxFailures, now);
    this.count(this.addresses, address, this.options.maxFailuresPerAddress, now);
  }

  succeeded(identity: string, address: string): void {
    const key = pairKey(identity, address);
    const pair = this.pairs.get(key);
    if (pair && pair.blockedUntil <= this.now()) this.pairs.delete(key);
    this.proved.delete(key);
    this.proved.add(key);
    if (this.proved.size > this.maxTracked) this.proved.delete(this.proved.values().next().value as string);
  }

  private get maxTracked(): number {
    return this.options.maxTracked ?? 10_000;
  }

  private count(entries: Map<string, Failures>, key: string, limit: number, now: number): void {
    let entry = entries.get(key);
    if (!entry || now - entry.windowStart > this.options.windowMs) {
      entries.delete(key);
      entry = { windowStart: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 };
      entries.set(key, entry);
      if (entries.size > this.maxTracked) entries.delete(entries.keys().next().value as string);
    }
    entry.failures++;
    if (entry.failures >= limit) entry.blockedUntil = now + this.options.blockMs;
  }
}

function pairKey(identity: string, address: string): string {
  return `${address}\n${identity}`;
}
