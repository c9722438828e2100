import { METRIC_NAME_PATTERN, type MetricValue, type ProtocolLimits } from "../protocol/index.js";
import { InvalidReadingError } from "./client-errors.js";

/** Metrics as `send()` takes them: name → number, boolean or string. */
export type Metrics = Readonly<Record<string, MetricValue>>;

/**
 * Check a reading against the protocol's rules and the hub's limits before it is buffered,
 * so bad input fails at `send()` instead of getting a whole batch refused later.
 * Returns a copy of the metrics (the caller may reuse its object).
 */
export function checkReading(metrics: unknown, timestamp: unknown, limits: ProtocolLimits): Record<string, MetricValue> {
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || timestamp < 0) {
    throw new InvalidReadingError(`timestamp must be a non-negative finite number of ms, got ${String(timestamp)}`);
  }
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    throw new InvalidReadingError("metrics must be an object of name → number | boolean | string");
  }
  const copy: Record<string, MetricValue> = {};
  let count = 0;
  for (const [name, value] of Object.entries(metrics)) {
    count++;
    if (Buffer.byteLength(name) > limits.maxNameLength) {
      throw new InvalidReadingError(`metric name ${JSON.stringify(name)} is longer than ${limits.maxNameLength} bytes`);
    }
    if (!METRIC_NAME_PATTERN.test(name)) {
      throw new InvalidReadingError(`metric name ${JSON.stringify(name)}: use A-Z a-z 0-9 _ . - /, starting with a letter or digit`);
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new InvalidReadingError(`metric ${name}: ${value} is not a finite number`);
    } else if (typeof value === "string") {
      if (Buffer.byteLength(value) > limits.maxStringLength) {
        throw new InvalidReadingError(`metric ${name}: string longer than ${limits.maxStringLength} bytes`);
      }
    } else if (typeof value !== "boolean") {
      throw new InvalidReadingError(`metric ${name}: must be a number, boolean or string, got ${value === null ? "null" : typeof value}`);
    }
    copy[name] = value;
  }
  if (count === 0) throw new InvalidReadingError("a reading needs at least one metric");
  if (count > limits.maxMetricsPerReading) {
    throw new InvalidReadingError(`${count} metrics exceed the hub's limit of ${limits.maxMetricsPerReading} per reading`);
  }
  return copy;
}
