import type { DeviceModel, Metrics, Profile } from "./profile.js";
import { gaussian, type Random } from "./random.js";
import { clamp, dailyCycle, RandomWalk, round, spike } from "./signals.js";

/** A household energy meter: load peaks in the evening, current follows power, energy accumulates. */
class EnergyMeter implements DeviceModel {
  private energyKwh: number;
  private lastAt: number | undefined;
  private readonly load: RandomWalk;

  constructor(
    private readonly random: Random,
    private readonly phaseHours: number,
  ) {
    this.energyKwh = round(random() * 5_000, 3);
    this.load = new RandomWalk(random, 40, 600);
  }

  next(now: number): Metrics {
    const base = 450 + 350 * dailyCycle(now, this.phaseHours + 3);
    const power = clamp(base + this.load.next() + gaussian(this.random, 15) + Math.abs(spike(this.random, 0.005, 2_500)), 50, 7_000);
    const voltage = clamp(230 + gaussian(this.random, 1.5) - power / 2_000, 207, 253);
    const powerFactor = clamp(0.95 - power / 40_000 + gaussian(this.random, 0.01), 0.8, 1);
    const hours = this.lastAt === undefined ? 0 : Math.max(0, now - this.lastAt) / 3_600_000;
    this.lastAt = now;
    this.energyKwh += (power / 1_000) * hours;
    return {
      power_w: round(power, 1),
      voltage_v: round(voltage, 1),
      current_a: round(power / (voltage * powerFactor), 2),
      power_factor: round(powerFactor, 3),
      energy_kwh: round(this.energyKwh, 4),
    };
  }
}

/** Built-in profile `energy-meter`. */
export const energyMeter: Profile = {
  name: "energy-meter",
  description: "household load with an evening peak and appliance spikes; current from power and voltage; a growing energy counter",
  model: "sim-energy-meter",
  ranges: {
    power_w: { min: 50, max: 7_000 },
    voltage_v: { min: 207, max: 253 },
    current_a: { min: 0.1, max: 45 },
    power_factor: { min: 0.8, max: 1 },
    energy_kwh: { min: 0, max: 1_000_000 },
  },
  create: (random, device) => new EnergyMeter(random, (device * 5) % 24),
};
