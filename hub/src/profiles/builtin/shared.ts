import type { ProfileCommand, ProfileMetric } from "../profile.js";

/** A command that takes no arguments: the console offers no form and refuses stray ones. */
export function noArgsCommand(name: string, description: string): ProfileCommand {
  return { name, description, args: { type: "object", properties: {}, additionalProperties: false } };
}

/** A battery voltage (the simulators' Li-ion cells). */
export function batteryVoltage(min: number, max: number): ProfileMetric {
  return { name: "battery", type: "number", kind: "gauge", displayName: "Battery", unit: "V", decimals: 2, range: { min, max } };
}
