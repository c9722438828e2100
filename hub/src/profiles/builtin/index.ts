import type { ProfileDefinition } from "../profile.js";
import { ESP32_EXAMPLE_PROFILE } from "./esp32-example.js";
import { PI_AGENT_PROFILE } from "./pi-agent.js";
import { SIM_AIR_QUALITY_PROFILE } from "./sim-air-quality.js";
import { SIM_ENERGY_METER_PROFILE } from "./sim-energy-meter.js";
import { SIM_GPS_TRACKER_PROFILE } from "./sim-gps-tracker.js";
import { SIM_THERMOSTAT_PROFILE } from "./sim-thermostat.js";

/** The profiles shipped with the hub (seeded at start when absent): what Telehub ships, by id. */
export const BUILT_IN_PROFILES: readonly ProfileDefinition[] = [
  ESP32_EXAMPLE_PROFILE,
  PI_AGENT_PROFILE,
  SIM_AIR_QUALITY_PROFILE,
  SIM_ENERGY_METER_PROFILE,
  SIM_GPS_TRACKER_PROFILE,
  SIM_THERMOSTAT_PROFILE,
];
