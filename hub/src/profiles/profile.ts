/**
 * Device profiles: what a kind of device reports (its metrics), what it accepts (its commands),
 * its default desired configuration and the layout of its device page. These are the API's wire
 * shapes (`/api/v1/profiles`), exported for the dashboard.
 */

/** How a metric is shown: a level, a monotonic total (charted as a rate per second), or a state (booleans, enums). */
export type MetricKind = "gauge" | "counter" | "state";

/** One metric a device of the profile sends. */
export interface ProfileMetric {
  /** The metric name as devices send it (protocol §3.3 name rule). */
  name: string;
  type: "number" | "boolean" | "string";
  kind: MetricKind;
  /** Default: `name`. */
  displayName?: string;
  /**
   * Free text, at most 16 characters. The dashboard formats "%", "B" (bytes, binary prefixes), "B/s",
   * "s", "ms", "°C", "V", "W", "Wh", "ppm" and "dBm" specially; others are printed after the value with SI prefixes.
   */
  unit?: string;
  /** Decimals shown, 0..6. */
  decimals?: number;
  /** The expected range (an axis hint). */
  range?: { min?: number; max?: number };
  /** For kind "state" with type "string": the known values, in display order. */
  states?: string[];
}

/** One command a device of the profile accepts. */
export interface ProfileCommand {
  /** The command name (the rule of `POST /devices/:id/commands` `name`). */
  name: string;
  description?: string;
  /** A JSON Schema (the draft 2020-12 subset ajv supports) for the command's `args` object; absent: no arguments described. */
  args?: Record<string, unknown>;
}

/** One chart of the device page. */
export interface ProfileChart {
  title: string;
  /** 1..8 names from the profile's `metrics`; several draw one chart with several series (the same unit expected). */
  metrics: string[];
  /** Default true: on the device page by default; false: listed, hidden until the user shows it. */
  shown?: boolean;
}

/** A profile as `POST /profiles` accepts it (and `PUT /profiles/:id`, without `id`). */
export interface ProfileDefinition {
  /** A slug: `^[a-z0-9][a-z0-9-]{0,63}$`. */
  id: string;
  /** Display name, at most 128 characters. */
  name: string;
  /** At most 1024 characters. */
  description?: string;
  /** Glob patterns (`*` only) on `hello.model` / `hello.fw`: a device without a profile gets the first profile that matches. */
  match?: { models?: string[]; firmware?: string[] };
  /** At most 256. */
  metrics: ProfileMetric[];
  /** At most 64. */
  commands: ProfileCommand[];
  /** The default desired configuration of a device that gets the profile and has none yet. */
  defaultConfig?: Record<string, unknown>;
  /** Order = page order; at most 64 charts. */
  layout: { charts: ProfileChart[] };
}

/** A stored profile. */
export interface DeviceProfile extends ProfileDefinition {
  /** 1 on create, +1 on every update. */
  version: number;
  /** Shipped with the hub (seeded at start when absent); editable like any other. */
  builtIn: boolean;
  createdAt: number;
  updatedAt: number;
  /** The caller's name at the last change; null when the hub made it (seeding). */
  updatedBy: string | null;
}

/** One entry of a profile's history (`GET /profiles/:id/versions`). */
export interface ProfileVersionInfo {
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}
