import type { MetricCondition } from "./rule.js";

/** A numeric sample kept for a rate: `[ts, value]` (JSON-friendly). */
export type RateSample = [ts: number, value: number];

/** The most samples kept per (rule, device); when full, every other one is dropped. */
export const MAX_RATE_SAMPLES = 32;

/** Milliseconds in each unit a rate is given per. */
export const RATE_UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;

/**
 * Add a sample at `ts` to `samples` (oldest first) and drop those older than `windowMs` before it;
 * when the list is full, thin it by dropping every other sample (the oldest stays, so the window's
 * start is kept). Changes `samples` in place (it runs once per reading and rule) and returns it.
 */
export function addSample(samples: RateSample[], ts: number, value: number, windowMs: number): RateSample[] {
  let expired = 0;
  while (expired < samples.length && (samples[expired] as RateSample)[0] < ts - windowMs) expired++;
  if (expired > 0) samples.splice(0, expired);
  if (samples.length >= MAX_RATE_SAMPLES) {
    let kept = 0;
    for (let i = 0; i < samples.length; i += 2) samples[kept++] = samples[i] as RateSample;
    samples.length = kept;
  }
  samples.push([ts, value]);
  return samples;
}

/** The rate from the oldest kept sample to the newest, per `rate.per`; null with fewer than 2 samples. */
export function rateOf(samples: readonly RateSample[], rate: NonNullable<MetricCondition["rate"]>): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || samples.length < 2 || last[0] === first[0]) return null;
  return ((last[1] - first[1]) / (last[0] - first[0])) * RATE_UNIT_MS[rate.per];
}
