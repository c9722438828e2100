/** A numeric metric of a custom profile (see docs/simulator.md). */
export interface NumberMetricSpec {
  type?: "number";
  /** Centre value. Required. */
  base: number;
  /** Amplitude of the daily cycle (lowest around 04:00, highest around 16:00 UTC). Default 0. */
  daily?: number;
  /** Standard deviation of each random-walk step (mean-reverting, bounded by `walkLimit`). Default 0. */
  walk?: number;
  /** Largest distance the walk goes from `base`. Default 10 × `walk`. */
  walkLimit?: number;
  /** Standard deviation of the noise on each reading. Default 0. */
  noise?: number;
  /** Probability per reading of a spike. Default 0. */
  spikeChance?: number;
  /** Spike height (either sign). Default 0. */
  spike?: number;
  /** Follow an earlier metric: adds `factor × (its value − its base)`. */
  follows?: string;
  /** See `follows`. Default 1. */
  factor?: number;
  /** Range the value is clamped to. Required. */
  min: number;
  max: number;
  /** Decimal places kept. Default 2. */
  decimals?: number;
}

/** A boolean metric: true with probability `chance` per reading. */
export interface BooleanMetricSpec {
  type: "boolean";
  chance: number;
}

/** A battery voltage draining from `full` to `empty` by `perReading` volts a reading. */
export interface BatteryMetricSpec {
  type: "battery";
  full: number;
  empty: number;
  perReading: number;
}

export type MetricSpec = NumberMetricSpec | BooleanMetricSpec | BatteryMetricSpec;

/** A custom profile file. */
export interface CustomProfileSpec {
  name: string;
  /** Reported in `hello.model`. Default `sim-<name>`. */
  model?: string;
  description?: string;
  metrics: Record<string, MetricSpec>;
}
