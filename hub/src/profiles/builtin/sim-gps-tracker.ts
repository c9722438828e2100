import type { ProfileDefinition } from "../profile.js";
import { batteryVoltage } from "./shared.js";

/** The simulator's `gps-tracker` profile (firmware-sim/src/profiles/gps-tracker.ts). */
export const SIM_GPS_TRACKER_PROFILE: ProfileDefinition = {
  id: "sim-gps-tracker",
  name: "Simulated GPS tracker",
  description: "telehub-sim --profile gps-tracker: a vehicle around a European city: position, speed, heading, satellites, battery.",
  match: { models: ["sim-gps-tracker"] },
  metrics: [
    { name: "lat", type: "number", kind: "gauge", displayName: "Latitude", unit: "°", decimals: 6, range: { min: -85, max: 85 } },
    { name: "lon", type: "number", kind: "gauge", displayName: "Longitude", unit: "°", decimals: 6, range: { min: -180, max: 180 } },
    { name: "speed_kmh", type: "number", kind: "gauge", displayName: "Speed", unit: "km/h", decimals: 1, range: { min: 0, max: 130 } },
    { name: "heading_deg", type: "number", kind: "gauge", displayName: "Heading", unit: "°", decimals: 1, range: { min: 0, max: 360 } },
    { name: "satellites", type: "number", kind: "gauge", displayName: "Satellites", decimals: 0, range: { min: 0, max: 16 } },
    batteryVoltage(3.4, 4.2),
  ],
  commands: [],
  layout: {
    charts: [
      { title: "Speed", metrics: ["speed_kmh"] },
      { title: "Heading", metrics: ["heading_deg"] },
      { title: "Satellites", metrics: ["satellites"] },
      { title: "Battery", metrics: ["battery"] },
      { title: "Latitude", metrics: ["lat"], shown: false },
      { title: "Longitude", metrics: ["lon"], shown: false },
    ],
  },
};
