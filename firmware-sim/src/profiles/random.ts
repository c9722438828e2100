/** A seeded random source in [0, 1): the same seed gives the same run. */
export type Random = () => number;

/** mulberry32: tiny, fast and good enough for simulated signals (not for secrets). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Derive an independent stream per device from one run seed. */
export function deviceRandom(seed: number, device: number): Random {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(device + 1, 0xc2b2ae35));
}

/** A normally distributed sample (Box–Muller) with mean 0 and the given standard deviation. */
export function gaussian(random: Random, sd = 1): number {
  const u = 1 - random();
  const v = random();
  return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
