import type { ProfileDefinition } from "../profile.js";
import { batteryVoltage } from "./shared.js";

/** The simulator's `thermostat` profile (firmware-sim/src/profiles/thermostat.ts). */
export const SIM_THERMOSTAT_PROFILE: ProfileDefinition = {
  id: "sim-thermostat",
  name: "Simulated thermostat",
  description: "telehub-sim --profile thermostat: room temperature around a set-point, heater on/off, humidity, battery.",
  match: { models: ["sim-thermostat"] },
  metrics: [
    { name: "temperature", type: "number", kind: "gauge", displayName: "Temperature", unit: "°C", decimals: 2, range: { min: 5, max: 35 } },
    { name: "setpoint", type: "number", kind: "gauge", displayName: "Set-point", unit: "°C", decimals: 1, range: { min: 10, max: 28 } },
    { name: "humidity", type: "number", kind: "gauge", displayName: "Humidity", unit: "%", decimals: 1, range: { min: 15, max: 85 } },
    { name: "heater_on", type: "boolean", kind: "state", displayName: "Heater" },
    batteryVoltage(3.3, 4.2),
  ],
  commands: [
    {
      name: "set_setpoint",
      description: "The temperature the heater regulates around",
      args: {
        type: "object",
        required: ["setpoint"],
        properties: { setpoint: { type: "number", minimum: 10, maximum: 28, description: "°C" } },
        additionalProperties: false,
      },
    },
  ],
  layout: {
    charts: [
      { title: "Temperature", metrics: ["temperature", "setpoint"] },
      { title: "Heater", metrics: ["heater_on"] },
      { title: "Humidity", metrics: ["humidity"] },
      { title: "Battery", metrics: ["battery"] },
    ],
  },
};
