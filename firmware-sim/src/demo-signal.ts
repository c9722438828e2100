import type { MetricValue } from "@telehub/device-client/protocol";

/**
 * A small thermostat-like signal for the demo devices: a slow daily-ish cycle, noise, a
 * draining battery and a heater that switches with the temperature.
 */
export class DemoSignal {
  private heaterOn = false;
  private battery = 4.1;

  constructor(
    private readonly phase: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(now: number): Record<string, MetricValue> {
    const cycle = Math.sin((now / 600_000) * 2 * Math.PI + this.phase);
    const temperature = Math.round((20 + 3 * cycle + (this.random() - 0.5) * 0.4) * 100) / 100;
    if (temperature < 19) this.heaterOn = true;
    if (temperature > 21) this.heaterOn = false;
    this.battery = Math.max(3.3, this.battery - 0.0001);
    return {
      temperature,
      humidity: Math.round((45 - 10 * cycle + (this.random() - 0.5) * 2) * 10) / 10,
      battery: Math.round(this.battery * 1000) / 1000,
      heater_on: this.heaterOn,
    };
  }
}
