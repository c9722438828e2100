import type { ProfileDefinition } from "../profile.js";

/** The simulator's `air-quality` profile (firmware-sim/src/profiles/air-quality.ts). */
export const SIM_AIR_QUALITY_PROFILE: ProfileDefinition = {
  id: "sim-air-quality",
  name: "Simulated air-quality sensor",
  description: "telehub-sim --profile air-quality: indoor CO₂ with occupancy, PM2.5 and PM10, VOC index, temperature, humidity.",
  match: { models: ["sim-air-quality"] },
  metrics: [
    { name: "co2_ppm", type: "number", kind: "gauge", displayName: "CO₂", unit: "ppm", decimals: 0, range: { min: 400, max: 5_000 } },
    { name: "pm2_5", type: "number", kind: "gauge", displayName: "PM2.5", unit: "µg/m³", decimals: 1, range: { min: 0, max: 500 } },
    { name: "pm10", type: "number", kind: "gauge", displayName: "PM10", unit: "µg/m³", decimals: 1, range: { min: 0, max: 600 } },
    { name: "voc_index", type: "number", kind: "gauge", displayName: "VOC index", decimals: 0, range: { min: 1, max: 500 } },
    {
      name: "temperature",
      type: "number",
      kind: "gauge",
      displayName: "Temperature",
      unit: "°C",
      decimals: 2,
      range: { min: 10, max: 35 },
    },
    { name: "humidity", type: "number", kind: "gauge", displayName: "Humidity", unit: "%", decimals: 1, range: { min: 10, max: 90 } },
  ],
  commands: [],
  layout: {
    charts: [
      { title: "CO₂", metrics: ["co2_ppm"] },
      { title: "Particles", metrics: ["pm2_5", "pm10"] },
      { title: "VOC index", metrics: ["voc_index"] },
      { title: "Temperature", metrics: ["temperature"] },
      { title: "Humidity", metrics: ["humidity"] },
    ],
  },
};
