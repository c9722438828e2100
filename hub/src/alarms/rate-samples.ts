import type { MetricCondition } from "./rule.js";

/** A numeric sample kept for a rate: `[ts, value]` (JSON-friendly). */
export type RateSample = [ts: number, value: number];

/** The most samples kept per (rule, device); when full, every other one is dropped. */
export const MAX_RATE_SAMPLES = 32;

/** Milliseconds in each unit a rate is given per. */
const RATE_UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;

/**
 * One (rule, device)'s samples as two columns while they slide: loaded from the state's list,
 * moved by {@link add} without allocating, stored back into the list. The one implementation of
 * the window's rule, for a reading at a time ({@link addSample}) and for a series followed in
 * scratch (`observeStepFree`).
 */
export class RateWindow {
  readonly ts: number[] = [];
  readonly values: number[] = [];
  count = 0;

  load(samples: readonly RateSample[] | undefined): void {
    const count = samples?.length ?? 0;
    for (let j = 0; j < count; j++) {
      const pair = (samples as readonly RateSample[])[j] as RateSample;
      this.ts[j] = pair[0];
      this.values[j] = pair[1];
    }
    this.count = count;
  }

  /**
   * Add a sample at `at` and drop those older than `windowMs` before it; when full, thin the
   * window by dropping every other sample (the oldest stays, so the window's start is kept).
   */
  add(at: number, value: number, windowMs: number): void {
    const { ts, values } = this;
    let expired = 0;
    while (expired < this.count && (ts[expired] as number) < at - windowMs) expired++;
    let n = this.count;
    if (expired > 0) {
      for (let j = expired; j < n; j++) {
        ts[j - expired] = ts[j] as number;
        values[j - expired] = values[j] as number;
      }
      n -= expired;
    }
    if (n >= MAX_RATE_SAMPLES) {
      let kept = 0;
      for (let j = 0; j < n; j += 2) {
        ts[kept] = ts[j] as number;
        values[kept++] = values[j] as number;
      }
      n = kept;
    }
    ts[n] = at;
    values[n] = value;
    this.count = n + 1;
  }

  /** The rate from the oldest sample to the newest, per `per`; NaN with fewer than 2 samples or none apart. */
  rate(per: RateUnit): number {
    const last = this.count - 1;
    if (last < 1) return Number.NaN;
    return rateBetween(this.ts[0] as number, this.values[0] as number, this.ts[last] as number, this.values[last] as number, per);
  }

  /** The window into `samples` (changed in place, its pairs reused), which it returns. */
  store(samples: RateSample[]): RateSample[] {
    for (let j = 0; j < this.count; j++) {
      const pair = samples[j];
      if (pair) {
        pair[0] = this.ts[j] as number;
        pair[1] = this.values[j] as number;
      } else samples.push([this.ts[j] as number, this.values[j] as number]);
    }
    samples.length = this.count;
    return samples;
  }
}

type RateUnit = NonNullable<MetricCondition["rate"]>["per"];

/** Per `per` from (t0, v0) to (t1, v1); NaN when they are at the same instant. */
function rateBetween(t0: number, v0: number, t1: number, v1: number, per: RateUnit): number {
  return t1 === t0 ? Number.NaN : ((v1 - v0) / (t1 - t0)) * RATE_UNIT_MS[per];
}

/** For {@link addSample}: one reading's window at a time (nothing keeps it). */
const sliding = new RateWindow();

/**
 * Add a sample at `ts` to `samples` (oldest first), as {@link RateWindow.add} says. Changes
 * `samples` in place (it runs once per reading and rule) and returns it.
 */
export function addSample(samples: RateSample[], ts: number, value: number, windowMs: number): RateSample[] {
  sliding.load(samples);
  sliding.add(ts, value, windowMs);
  return sliding.store(samples);
}

/** The rate from the oldest kept sample to the newest, per `rate.per`; null with fewer than 2 samples. */
export function rateOf(samples: readonly RateSample[], rate: NonNullable<MetricCondition["rate"]>): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || samples.length < 2) return null;
  const perUnit = rateBetween(first[0], first[1], last[0], last[1], rate.per);
  return Number.isNaN(perUnit) ? null : perUnit;
}
