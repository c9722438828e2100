/** Reconnection backoff: capped exponential with full jitter. */
export interface BackoffOptions {
  /** Cap of the first delay in ms. Default 500. */
  initialMs: number;
  /** Largest cap in ms. Default 30,000. */
  maxMs: number;
  /** Growth of the cap per failed attempt. Default 2. */
  multiplier: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { initialMs: 500, maxMs: 30_000, multiplier: 2 };

/** The upper bound of the delay before attempt number `attempt` (0-based): `min(maxMs, initialMs × multiplier^attempt)`. */
export function backoffCap(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.initialMs * options.multiplier ** attempt);
}

/** Full jitter: a delay drawn uniformly from `[0, cap]` (whole ms). `random` returns a number in `[0, 1)`. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  return Math.round(random() * backoffCap(attempt, options));
}

/** Check backoff options; throws a `RangeError` naming the bad one. */
export function checkBackoff(options: BackoffOptions): BackoffOptions {
  const { initialMs, maxMs, multiplier } = options;
  if (!(initialMs > 0 && Number.isFinite(initialMs))) throw new RangeError(`backoff.initialMs must be a positive number, got ${initialMs}`);
  if (!(maxMs >= initialMs && Number.isFinite(maxMs))) throw new RangeError(`backoff.maxMs must be ≥ initialMs, got ${maxMs}`);
  if (!(multiplier >= 1 && Number.isFinite(multiplier))) throw new RangeError(`backoff.multiplier must be ≥ 1, got ${multiplier}`);
  return options;
}

/** The attempt counter around {@link backoffDelay} (after socket.io-client's `backo2`). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    checkBackoff(options);
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The cap the next delay is drawn under. */
  get currentCap(): number {
    return backoffCap(this.attempt, this.options);
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const delay = backoffDelay(this.attempt, this.options, this.random);
    // Stop growing once the cap saturates, so the power never overflows.
    if (backoffCap(this.attempt, this.options) < this.options.maxMs) this.attempt++;
    return delay;
  }

  /** After a good connection (one that reached `welcome`). */
  reset(): void {
    this.attempt = 0;
  }
}
