import type { ProfileDefinition } from "../profile.js";
import { noArgsCommand } from "./shared.js";

/** The ESP32 example application (device-client/src/espruino/main.ts, docs/esp32.md). */
export const ESP32_EXAMPLE_PROFILE: ProfileDefinition = {
  id: "esp32-example",
  name: "ESP32 example app",
  description:
    "The Espruino example application: internal temperature, Wi-Fi signal and free variables every `interval` seconds (docs/esp32.md).",
  match: { models: ["esp32"] },
  metrics: [
    { name: "temp", type: "number", kind: "gauge", displayName: "Internal temperature", unit: "°C", decimals: 1 },
    { name: "rssi", type: "number", kind: "gauge", displayName: "Wi-Fi signal", unit: "dBm", decimals: 0, range: { min: -100, max: 0 } },
    { name: "heap", type: "number", kind: "gauge", displayName: "Free variables", decimals: 0, range: { min: 0 } },
  ],
  commands: [
    noArgsCommand("ping", "Answers pong"),
    {
      name: "interval",
      description: "Sample every `seconds` from now on, also after a restart",
      args: {
        type: "object",
        required: ["seconds"],
        properties: { seconds: { type: "number", minimum: 1, maximum: 86_400, description: "Seconds between two samples" } },
        additionalProperties: false,
      },
    },
  ],
  layout: {
    charts: [
      { title: "Internal temperature", metrics: ["temp"] },
      { title: "Wi-Fi signal", metrics: ["rssi"] },
      { title: "Free variables", metrics: ["heap"] },
    ],
  },
};
