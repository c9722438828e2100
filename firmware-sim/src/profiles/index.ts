import { existsSync } from "node:fs";
import { UsageError } from "../usage-error.js";
import { airQuality } from "./air-quality.js";
import { loadCustomProfile } from "./custom-profile.js";
import { energyMeter } from "./energy-meter.js";
import { gpsTracker } from "./gps-tracker.js";
import type { Profile } from "./profile.js";
import { thermostat } from "./thermostat.js";

export type { DeviceModel, MetricRange, Metrics, Profile } from "./profile.js";

/** The built-in profiles by name. */
export const BUILT_IN_PROFILES: Readonly<Record<string, Profile>> = {
  thermostat,
  "energy-meter": energyMeter,
  "gps-tracker": gpsTracker,
  "air-quality": airQuality,
};

/** A built-in profile by name, or a custom one from a JSON/YAML file path. */
export function resolveProfile(nameOrFile: string): Profile {
  const builtIn = BUILT_IN_PROFILES[nameOrFile];
  if (builtIn) return builtIn;
  if (existsSync(nameOrFile)) return loadCustomProfile(nameOrFile);
  throw new UsageError(
    `--profile takes a built-in profile (${Object.keys(BUILT_IN_PROFILES).join(", ")}) or a JSON/YAML file; "${nameOrFile}" is neither`,
  );
}
