/**
 * How the device page charts one metric: from the device's profile (`inProfile` true), or
 * guessed from a value for a metric the profile does not list (shown, marked "not in profile").
 */
export interface MetricSpec {
  name: string;
  type: "number" | "boolean" | "string";
  kind: "gauge" | "counter" | "state";
  displayName?: string;
  unit?: string;
  decimals?: number;
  range?: { min?: number; max?: number };
  /** For a string state: the known values, in display order. */
  states?: string[];
  inProfile: boolean;
}

/** The spec of a metric no profile describes: a number is a gauge, a boolean or a string a state. */
export function specForUnprofiled(name: string, sample: unknown): MetricSpec {
  if (typeof sample === "boolean") return { name, type: "boolean", kind: "state", inProfile: false };
  if (typeof sample === "string") return { name, type: "string", kind: "state", inProfile: false };
  return { name, type: "number", kind: "gauge", inProfile: false };
}
