/**
 * A counter (a running total) as a rate per second: each sample's increase over the previous
 * sample, divided by the seconds between them. A decrease means the counter was reset (a
 * restart): that sample has no rate (`null`, drawn as a gap), never a negative spike. The
 * first sample, and one that follows a `null`, have no rate either.
 */
export function rateOf(ts: readonly number[], values: readonly (number | null)[]): (number | null)[] {
  const rates: (number | null)[] = [];
  let previous: { ts: number; value: number } | undefined;
  for (let i = 0; i < ts.length; i++) {
    const value = values[i];
    const at = ts[i] as number;
    if (value === null || value === undefined) {
      rates.push(null);
      previous = undefined;
      continue;
    }
    const seconds = previous ? (at - previous.ts) / 1_000 : 0;
    rates.push(previous && seconds > 0 && value >= previous.value ? (value - previous.value) / seconds : null);
    previous = { ts: at, value };
  }
  return rates;
}
