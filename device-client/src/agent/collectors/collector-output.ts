import { METRIC_NAME_PATTERN, type MetricValue } from "../../protocol/index.js";
import type { CollectedMetrics } from "./collector.js";

/**
 * Read what a custom collector produced: a JSON object of numbers, booleans and strings, or
 * `key=value` lines (blank lines and `#` comments skipped; `true`/`false` are booleans, numbers
 * are numbers, anything else a string). Throws naming the bad line or key.
 */
export function parseCollectorOutput(output: string): CollectedMetrics {
  const text = output.trim();
  if (text.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`output looks like JSON but does not parse: ${(error as Error).message}`);
    }
    return checkMetrics(json);
  }
  const metrics: CollectedMetrics = {};
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`line ${i + 1} is not key=value: ${JSON.stringify(line.slice(0, 60))}`);
    metrics[line.slice(0, eq).trim()] = scalar(line.slice(eq + 1).trim());
  });
  return checkMetrics(metrics);
}

/** A plugin's or a parsed output's metrics: a flat object of finite numbers, booleans and strings with valid names. */
export function checkMetrics(value: unknown): CollectedMetrics {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("expected an object of metric name → number | boolean | string");
  }
  const metrics: CollectedMetrics = {};
  for (const [name, v] of Object.entries(value)) {
    if (!METRIC_NAME_PATTERN.test(name)) throw new Error(`bad metric name ${JSON.stringify(name)}: use A-Z a-z 0-9 _ . - /`);
    const ok = typeof v === "boolean" || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
    if (!ok) throw new Error(`metric ${name}: must be a finite number, a boolean or a string, got ${JSON.stringify(v)}`);
    metrics[name] = v as MetricValue;
  }
  return metrics;
}

function scalar(text: string): MetricValue {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text !== "" && Number.isFinite(Number(text))) return Number(text);
  return text.replace(/^"(.*)"$/, "$1");
}

/** Metrics of custom collector `name` are named `<name>.<metric>`. */
export function prefixed(name: string, metrics: CollectedMetrics): CollectedMetrics {
  const out: CollectedMetrics = {};
  for (const [key, value] of Object.entries(metrics)) out[`${name}.${key}`] = value;
  return out;
}
