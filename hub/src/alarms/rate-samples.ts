import type { MetricCondition } from "./rule.js";

/** A numeric sample kept for a rate: `[ts, value]` (JSON-friendly). */
export type RateSample = [ts: number, value: number];

/** The most samples kept per (rule, device); when full, every other one is dropped. */
export const MAX_RATE_SAMPLES = 32;

const PER_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;

/**
 * Add a sample at `ts` and drop those older than `windowMs` before it; when the list is full,
 * thin it by dropping every other sample (the oldest stays, so the window's start is kept).
 * Returns the new list (the input is not changed).
 */
export function addSample(samples: readonly RateSample[], ts: number, value: number, windowMs: number): RateSample[] {
  let kept = samples.filter(([at]) => at >= ts - windowMs);
  if (kept.length >= MAX_RATE_SAMPLES) kept = kept.filter((_, i) => i % 2 === 0);
  kept.push([ts, value]);
  return kept;
}

/** The rate from the oldest kept sample to the newest, per `rate.per`; null with fewer than 2 samples. */
export function rateOf(samples: readonly RateSample[], rate: NonNullable<MetricCondition["rate"]>): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || samples.length < 2 || last[0] === first[0]) return null;
  return ((last[1] - first[1]) / (last[0] - first[0])) * PER_MS[rate.per];
}
