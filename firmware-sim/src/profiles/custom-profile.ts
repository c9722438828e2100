import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../usage-error.js";
import type { CustomProfileSpec, MetricSpec, NumberMetricSpec } from "./custom-spec.js";
import type { DeviceModel, MetricRange, Metrics, Profile } from "./profile.js";
import { gaussian, type Random } from "./random.js";
import { Battery, clamp, dailyCycle, RandomWalk, round, spike } from "./signals.js";

type Generator = (now: number, earlier: Readonly<Record<string, number>>) => number | boolean;

/** Read and check a custom profile (JSON, or YAML for `.yaml`/`.yml`). Throws `UsageError` naming the file and the field. */
export function loadCustomProfile(file: string): Profile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--profile: cannot read ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = [".yaml", ".yml"].includes(extname(file).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--profile: ${file} is not valid ${extname(file) === ".json" ? "JSON" : "JSON or YAML"}: ${(error as Error).message}`,
    );
  }
  return customProfile(checkSpec(raw, file));
}

/** A profile from a checked spec. */
export function customProfile(spec: CustomProfileSpec): Profile {
  const ranges: Record<string, MetricRange> = {};
  for (const [name, metric] of Object.entries(spec.metrics)) {
    ranges[name] =
      metric.type === "boolean"
        ? { type: "boolean" }
        : metric.type === "battery"
          ? { min: metric.empty, max: metric.full }
          : { min: metric.min, max: metric.max };
  }
  return {
    name: spec.name,
    description: spec.description ?? `custom profile ${spec.name}`,
    model: spec.model ?? `sim-${spec.name}`,
    ranges,
    create: (random, device) => new CustomDevice(spec, random, device),
  };
}

class CustomDevice implements DeviceModel {
  private readonly generators: [string, Generator][];

  constructor(spec: CustomProfileSpec, random: Random, device: number) {
    const bases = new Map<string, number>();
    for (const [name, metric] of Object.entries(spec.metrics))
      if (metric.type === undefined || metric.type === "number") bases.set(name, metric.base);
    this.generators = Object.entries(spec.metrics).map(([name, metric]) => [name, generator(metric, random, device, bases)]);
  }

  next(now: number): Metrics {
    const metrics: Metrics = {};
    const numbers: Record<string, number> = {};
    for (const [name, generate] of this.generators) {
      const value = generate(now, numbers);
      metrics[name] = value;
      if (typeof value === "number") numbers[name] = value;
    }
    return metrics;
  }
}

function generator(metric: MetricSpec, random: Random, device: number, bases: ReadonlyMap<string, number>): Generator {
  if (metric.type === "boolean") return () => random() < metric.chance;
  if (metric.type === "battery") {
    const battery = new Battery(metric.full, metric.empty, metric.perReading);
    return () => battery.next();
  }
  return numberGenerator(metric, random, device, bases);
}

function numberGenerator(metric: NumberMetricSpec, random: Random, device: number, bases: ReadonlyMap<string, number>): Generator {
  const walk = new RandomWalk(random, metric.walk ?? 0, metric.walkLimit ?? 10 * (metric.walk ?? 0));
  const phaseHours = (device * 7) % 24;
  return (now, earlier) => {
    const followed =
      metric.follows === undefined ? 0 : (metric.factor ?? 1) * ((earlier[metric.follows] ?? 0) - (bases.get(metric.follows) ?? 0));
    const value =
      metric.base +
      (metric.daily ?? 0) * dailyCycle(now, phaseHours) +
      walk.next() +
      gaussian(random, metric.noise ?? 0) +
      spike(random, metric.spikeChance ?? 0, metric.spike ?? 0) +
      followed;
    return round(clamp(value, metric.min, metric.max), metric.decimals ?? 2);
  };
}

function checkSpec(raw: unknown, file: string): CustomProfileSpec {
  const fail = (path: string, what: string): never => {
    throw new UsageError(`--profile: ${file}: ${path} ${what}`);
  };
  if (!isObject(raw)) return fail("the file", "must be an object with name and metrics");
  if (typeof raw.name !== "string" || raw.name === "") fail("name", "must be a non-empty string");
  if (raw.model !== undefined && typeof raw.model !== "string") fail("model", "must be a string");
  if (!isObject(raw.metrics) || Object.keys(raw.metrics).length === 0) fail("metrics", "must be an object with at least one metric");
  const seen = new Set<string>();
  for (const [name, metric] of Object.entries(raw.metrics as Record<string, unknown>)) {
    const path = `metrics.${name}`;
    if (!isObject(metric)) fail(path, "must be an object");
    const m = metric as Record<string, unknown>;
    const numberAt = (key: string, required: boolean): void => {
      if (m[key] === undefined ? required : typeof m[key] !== "number" || !Number.isFinite(m[key]))
        fail(`${path}.${key}`, "must be a number");
    };
    if (m.type === "boolean") {
      numberAt("chance", true);
      if ((m.chance as number) < 0 || (m.chance as number) > 1) fail(`${path}.chance`, "must be between 0 and 1");
    } else if (m.type === "battery") {
      for (const key of ["full", "empty", "perReading"]) numberAt(key, true);
      if ((m.empty as number) > (m.full as number)) fail(`${path}.empty`, "must not exceed full");
    } else if (m.type === undefined || m.type === "number") {
      for (const key of ["base", "min", "max"]) numberAt(key, true);
      for (const key of ["daily", "walk", "walkLimit", "noise", "spikeChance", "spike", "factor", "decimals"]) numberAt(key, false);
      if ((m.min as number) > (m.max as number)) fail(`${path}.min`, "must not exceed max");
      if (m.follows !== undefined && (typeof m.follows !== "string" || !seen.has(m.follows)))
        fail(`${path}.follows`, "must name a numeric metric defined above it");
      seen.add(name);
    } else {
      fail(`${path}.type`, 'must be "number", "boolean" or "battery"');
    }
  }
  return raw as unknown as CustomProfileSpec;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
