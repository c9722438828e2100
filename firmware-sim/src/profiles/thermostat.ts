import type { DataValue } from "@telehub/device-client/protocol";
import type { DeviceModel, Metrics, Profile } from "./profile.js";
import { gaussian, type Random } from "./random.js";
import { Battery, clamp, dailyCycle, RandomWalk, round, spike } from "./signals.js";

/** A room thermostat: the room follows the day and the heater, humidity moves against temperature. */
class Thermostat implements DeviceModel {
  private setpoint = 21;
  private heaterOn = false;
  private room: number;
  private readonly drift: RandomWalk;
  private readonly battery: Battery;

  constructor(
    private readonly random: Random,
    private readonly phaseHours: number,
  ) {
    this.room = 19 + random() * 3;
    this.drift = new RandomWalk(random, 0.05, 1.5);
    this.battery = new Battery(4.1 + random() * 0.1, 3.3, 0.00005);
  }

  next(now: number): Metrics {
    const outside = dailyCycle(now, this.phaseHours);
    // The room loses heat towards the outside, gains it while the heater runs.
    this.room += (this.heaterOn ? 0.08 : 0) - 0.02 + 0.03 * outside;
    this.room = clamp(this.room, 12, 28);
    if (this.room < this.setpoint - 0.5) this.heaterOn = true;
    if (this.room > this.setpoint + 0.5) this.heaterOn = false;
    const temperature = clamp(this.room + this.drift.next() + gaussian(this.random, 0.05) + spike(this.random, 0.001, 3), 5, 35);
    const humidity = clamp(45 - 2.5 * (temperature - 20) - 6 * outside + gaussian(this.random, 0.8), 15, 85);
    return {
      temperature: round(temperature, 2),
      humidity: round(humidity, 1),
      setpoint: this.setpoint,
      heater_on: this.heaterOn,
      battery: this.battery.next(),
    };
  }

  /** `set_setpoint {setpoint: °C}`: the heater then regulates around it (clamped to 10 … 28). */
  applyCommand(name: string, args: Readonly<Record<string, DataValue>>): DataValue {
    if (name !== "set_setpoint" || typeof args.setpoint !== "number") throw new Error("set_setpoint takes {setpoint: number}");
    this.setpoint = clamp(args.setpoint, 10, 28);
    return { setpoint: this.setpoint };
  }
}

/** Built-in profile `thermostat`. */
export const thermostat: Profile = {
  name: "thermostat",
  description: "room temperature around a set-point, heater on/off, humidity against temperature, battery drain",
  model: "sim-thermostat",
  commands: ["set_setpoint"],
  ranges: {
    temperature: { min: 5, max: 35 },
    humidity: { min: 15, max: 85 },
    setpoint: { min: 10, max: 28 },
    heater_on: { type: "boolean" },
    battery: { min: 3.3, max: 4.2 },
  },
  create: (random, device) => new Thermostat(random, (device * 7) % 24),
};
