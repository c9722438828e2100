import type { ProfileDefinition } from "../profile.js";

/** The simulator's `energy-meter` profile (firmware-sim/src/profiles/energy-meter.ts). */
export const SIM_ENERGY_METER_PROFILE: ProfileDefinition = {
  id: "sim-energy-meter",
  name: "Simulated energy meter",
  description: "telehub-sim --profile energy-meter: household power with an evening peak, voltage, current, power factor, an energy total.",
  match: { models: ["sim-energy-meter"] },
  metrics: [
    { name: "power_w", type: "number", kind: "gauge", displayName: "Power", unit: "W", decimals: 1, range: { min: 0, max: 7_000 } },
    { name: "voltage_v", type: "number", kind: "gauge", displayName: "Voltage", unit: "V", decimals: 1, range: { min: 207, max: 253 } },
    { name: "current_a", type: "number", kind: "gauge", displayName: "Current", unit: "A", decimals: 2, range: { min: 0, max: 45 } },
    { name: "power_factor", type: "number", kind: "gauge", displayName: "Power factor", decimals: 3, range: { min: 0.8, max: 1 } },
    // A meter reading: charted as the total it is (a rate of kWh per second would say nothing a power chart does not).
    { name: "energy_kwh", type: "number", kind: "gauge", displayName: "Energy", unit: "kWh", decimals: 2, range: { min: 0 } },
  ],
  commands: [],
  layout: {
    charts: [
      { title: "Power", metrics: ["power_w"] },
      { title: "Energy", metrics: ["energy_kwh"] },
      { title: "Voltage", metrics: ["voltage_v"] },
      { title: "Current", metrics: ["current_a"] },
      { title: "Power factor", metrics: ["power_factor"], shown: false },
    ],
  },
};
