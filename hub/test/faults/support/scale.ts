/**
 * How much load the fault suite applies. `npm test` runs it at 1 (a couple of minutes in all on
 * CI); `npm run test:faults` sets `TELEHUB_FAULTS_SCALE` (default there: 3) for longer runs
 * with more devices. Counts are asserted exactly at every scale.
 */
export const FAULTS_SCALE: number = (() => {
  const raw = process.env.TELEHUB_FAULTS_SCALE;
  if (raw === undefined || raw === "") return 1;
  const scale = Number(raw);
  if (!(Number.isInteger(scale) && scale >= 1 && scale <= 20))
    throw new RangeError(`TELEHUB_FAULTS_SCALE must be an integer 1…20, got ${raw}`);
  return scale;
})();

/** `base × FAULTS_SCALE`. */
export const scaled = (base: number): number => base * FAULTS_SCALE;
