import { compileArgsSchema } from "./command-args.js";
import type { ProfileDefinition } from "./profile.js";

/** A profile that passes its JSON schema but breaks a rule between its fields; `field` names the place (`layout.charts[2].metrics[0]`). */
export class ProfileInvalidError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "ProfileInvalidError";
  }
}

/** The index of the first repeated value, or -1. */
function firstRepeat(values: readonly string[]): number {
  const seen = new Set<string>();
  for (const [i, value] of values.entries()) {
    if (seen.has(value)) return i;
    seen.add(value);
  }
  return -1;
}

/**
 * Check the rules the JSON schema cannot say: names unique, charts drawing known metrics,
 * kinds matching types, ranges in order, argument schemas ajv compiles, the default
 * configuration within `maxConfigBytes`. Throws {@link ProfileInvalidError} at the first break.
 */
export function checkProfileRules(definition: ProfileDefinition, maxConfigBytes: number): void {
  const metricNames = definition.metrics.map((m) => m.name);
  const repeatedMetric = firstRepeat(metricNames);
  if (repeatedMetric >= 0)
    throw new ProfileInvalidError(`metrics[${repeatedMetric}].name`, `metric ${metricNames[repeatedMetric]} is listed twice`);
  for (const [i, metric] of definition.metrics.entries()) {
    const at = `metrics[${i}]`;
    if (metric.kind !== "state" && metric.type !== "number") {
      throw new ProfileInvalidError(`${at}.kind`, `a ${metric.kind} is a number; a ${metric.type} metric is of kind state`);
    }
    if (metric.states !== undefined && (metric.kind !== "state" || metric.type !== "string")) {
      throw new ProfileInvalidError(`${at}.states`, "only a metric of kind state and type string lists states");
    }
    const { range } = metric;
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
      throw new ProfileInvalidError(`${at}.range`, `min ${range.min} is above max ${range.max}`);
    }
  }

  const commandNames = definition.commands.map((c) => c.name);
  const repeatedCommand = firstRepeat(commandNames);
  if (repeatedCommand >= 0) {
    throw new ProfileInvalidError(`commands[${repeatedCommand}].name`, `command ${commandNames[repeatedCommand]} is listed twice`);
  }
  for (const [i, command] of definition.commands.entries()) {
    if (command.args === undefined) continue;
    try {
      compileArgsSchema(command.args);
    } catch (error) {
      throw new ProfileInvalidError(`commands[${i}].args`, `not a JSON Schema ajv can use: ${(error as Error).message}`);
    }
  }

  const { charts } = definition.layout;
  const titles = charts.map((c) => c.title);
  const repeatedTitle = firstRepeat(titles);
  if (repeatedTitle >= 0)
    throw new ProfileInvalidError(`layout.charts[${repeatedTitle}].title`, `chart title ${titles[repeatedTitle]} is used twice`);
  const known = new Set(metricNames);
  for (const [i, chart] of charts.entries()) {
    const repeated = firstRepeat(chart.metrics);
    if (repeated >= 0)
      throw new ProfileInvalidError(`layout.charts[${i}].metrics[${repeated}]`, `${chart.metrics[repeated]} is drawn twice`);
    for (const [j, name] of chart.metrics.entries()) {
      if (!known.has(name)) throw new ProfileInvalidError(`layout.charts[${i}].metrics[${j}]`, `${name} is not in metrics`);
    }
  }

  if (definition.defaultConfig !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(definition.defaultConfig));
    if (bytes > maxConfigBytes) {
      throw new ProfileInvalidError("defaultConfig", `${bytes} bytes as JSON; the limit is commands.maxArgsBytes (${maxConfigBytes})`);
    }
  }
}
