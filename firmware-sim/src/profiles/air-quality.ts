import type { DeviceModel, Metrics, Profile } from "./profile.js";
import { gaussian, type Random } from "./random.js";
import { clamp, dailyCycle, RandomWalk, round, spike } from "./signals.js";

/** An indoor air-quality sensor: CO₂ rises with occupancy in the day, particles follow outdoor events, VOC follows CO₂. */
class AirQuality implements DeviceModel {
  private readonly co2Walk: RandomWalk;
  private readonly dustWalk: RandomWalk;

  constructor(
    private readonly random: Random,
    private readonly phaseHours: number,
  ) {
    this.co2Walk = new RandomWalk(random, 8, 200);
    this.dustWalk = new RandomWalk(random, 0.6, 15);
  }

  next(now: number): Metrics {
    const occupancy = (dailyCycle(now, this.phaseHours) + 1) / 2;
    const co2 = clamp(450 + 650 * occupancy + this.co2Walk.next() + gaussian(this.random, 10), 400, 5_000);
    const pm25 = clamp(8 + this.dustWalk.next() + gaussian(this.random, 0.5) + Math.abs(spike(this.random, 0.003, 60)), 0, 500);
    const pm10 = clamp(pm25 * 1.6 + Math.abs(gaussian(this.random, 1.5)), 0, 600);
    const voc = clamp(80 + (co2 - 450) / 8 + gaussian(this.random, 5), 1, 500);
    return {
      co2_ppm: Math.round(co2),
      pm2_5: round(pm25, 1),
      pm10: round(pm10, 1),
      voc_index: Math.round(voc),
      temperature: round(clamp(21 + 1.5 * occupancy + gaussian(this.random, 0.1), 10, 35), 2),
      humidity: round(clamp(40 + 8 * occupancy + gaussian(this.random, 1), 10, 90), 1),
    };
  }
}

/** Built-in profile `air-quality`. */
export const airQuality: Profile = {
  name: "air-quality",
  description: "indoor CO₂ with daytime occupancy, PM2.5/PM10 with outdoor events (PM10 follows PM2.5), VOC following CO₂",
  model: "sim-air-quality",
  ranges: {
    co2_ppm: { min: 400, max: 5_000 },
    pm2_5: { min: 0, max: 500 },
    pm10: { min: 0, max: 600 },
    voc_index: { min: 1, max: 500 },
    temperature: { min: 10, max: 35 },
    humidity: { min: 10, max: 90 },
  },
  create: (random, device) => new AirQuality(random, (device * 3) % 24),
};
