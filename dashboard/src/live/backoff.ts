/** Reconnect delays: capped exponential with full jitter (`random() × min(cap, base × 2^attempt)`). */
export interface BackoffOptions {
  /** First ceiling. Default 500 ms. */
  baseMs: number;
  /** Largest ceiling. Default 30,000 ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Attempt counter with full-jitter delays; `reset()` after a connection proved good. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
