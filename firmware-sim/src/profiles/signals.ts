import { gaussian, type Random } from "./random.js";

const DAY_MS = 86_400_000;

/** −1 … 1 over the local day: lowest around 04:00 and highest around 16:00 (UTC plus the phase). */
export function dailyCycle(now: number, phaseHours = 0): number {
  const dayFraction = ((((now + phaseHours * 3_600_000) % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  return Math.sin(2 * Math.PI * (dayFraction - 10 / 24));
}

/** Clamp a value into [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Round to `decimals` places. */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** A random walk pulled back towards 0 (mean-reverting), bounded to ±`limit`. */
export class RandomWalk {
  private value = 0;

  constructor(
    private readonly random: Random,
    private readonly step: number,
    private readonly limit: number,
    private readonly pull = 0.02,
  ) {}

  next(): number {
    this.value = clamp(this.value * (1 - this.pull) + gaussian(this.random, this.step), -this.limit, this.limit);
    return this.value;
  }
}

/** Occasional spikes: with `chance` per reading, a jump of up to ±`size` (sign random). */
export function spike(random: Random, chance: number, size: number): number {
  if (chance <= 0 || random() >= chance) return 0;
  return (random() < 0.5 ? -1 : 1) * size * (0.5 + random() / 2);
}

/** A battery that drains by `perReading` volts a reading, from `full` down to `empty`. */
export class Battery {
  private volts: number;

  constructor(
    full: number,
    private readonly empty: number,
    private readonly perReading: number,
  ) {
    this.volts = full;
  }

  next(): number {
    this.volts = Math.max(this.empty, this.volts - this.perReading);
    return round(this.volts, 3);
  }
}
