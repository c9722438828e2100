import type { DeviceModel, Metrics, Profile } from "./profile.js";
import { gaussian, type Random } from "./random.js";
import { Battery, clamp, round } from "./signals.js";

const CITIES = [
  [48.8566, 2.3522],
  [52.52, 13.405],
  [51.5074, -0.1278],
  [40.4168, -3.7038],
  [59.3293, 18.0686],
] as const;

/** A vehicle tracker: heading turns gradually, speed changes smoothly, position follows both. */
class GpsTracker implements DeviceModel {
  private lat: number;
  private lon: number;
  private heading: number;
  private speed = 0;
  private lastAt: number | undefined;
  private readonly battery: Battery;

  constructor(
    private readonly random: Random,
    device: number,
  ) {
    const [lat, lon] = CITIES[device % CITIES.length] as readonly [number, number];
    this.lat = lat + gaussian(random, 0.02);
    this.lon = lon + gaussian(random, 0.02);
    this.heading = random() * 360;
    this.battery = new Battery(4.2, 3.4, 0.0001);
  }

  next(now: number): Metrics {
    const seconds = this.lastAt === undefined ? 0 : clamp((now - this.lastAt) / 1_000, 0, 60);
    this.lastAt = now;
    // Stop at lights now and then, otherwise accelerate towards a cruising speed.
    const target = this.random() < 0.02 ? 0 : 50 + gaussian(this.random, 15);
    this.speed = clamp(this.speed + (target - this.speed) * 0.1, 0, 130);
    this.heading = (this.heading + gaussian(this.random, 5) + 360) % 360;
    const metres = (this.speed / 3.6) * seconds;
    const radians = (this.heading * Math.PI) / 180;
    this.lat = clamp(this.lat + (metres * Math.cos(radians)) / 111_320, -85, 85);
    this.lon = ((this.lon + (metres * Math.sin(radians)) / (111_320 * Math.cos((this.lat * Math.PI) / 180)) + 540) % 360) - 180;
    return {
      lat: round(this.lat, 6),
      lon: round(this.lon, 6),
      speed_kmh: round(this.speed, 1),
      heading_deg: round(this.heading, 1),
      satellites: Math.round(clamp(9 + gaussian(this.random, 2), 3, 16)),
      battery: this.battery.next(),
    };
  }
}

/** Built-in profile `gps-tracker`. */
export const gpsTracker: Profile = {
  name: "gps-tracker",
  description: "a vehicle around a European city: smooth speed and heading, position integrated from both, battery drain",
  model: "sim-gps-tracker",
  ranges: {
    lat: { min: -85, max: 85 },
    lon: { min: -180, max: 180 },
    speed_kmh: { min: 0, max: 130 },
    heading_deg: { min: 0, max: 360 },
    satellites: { min: 3, max: 16 },
    battery: { min: 3.4, max: 4.2 },
  },
  create: (random, device) => new GpsTracker(random, device),
};
