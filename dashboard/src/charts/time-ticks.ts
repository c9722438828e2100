import type { TimeZone } from "../time/time-zone.js";

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
const INCREMENTS = [
  S,
  2 * S,
  5 * S,
  10 * S,
  15 * S,
  30 * S,
  MIN,
  2 * MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  H,
  2 * H,
  3 * H,
  6 * H,
  12 * H,
  D,
  2 * D,
  7 * D,
  14 * D,
  30 * D,
];

/**
 * Round ticks for a time axis of `widthPx` pixels over `[from, to]`: the smallest usual
 * increment that leaves `spacePx` between ticks, on the zone's round times (midnight local or UTC).
 */
export function timeAxisTicks(
  from: number,
  to: number,
  widthPx: number,
  timeZone: TimeZone,
  spacePx = 90,
): { ticks: number[]; increment: number } {
  const span = Math.max(1, to - from);
  const most = Math.max(1, Math.floor(widthPx / spacePx));
  const increment = INCREMENTS.find((inc) => span / inc <= most) ?? span;
  // The zone's offset, so that hour and day ticks land on the zone's round hours and midnights.
  const offset = timeZone === "UTC" ? 0 : -new Date(from).getTimezoneOffset() * MIN;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + offset) / increment) * increment - offset; t <= to; t += increment) ticks.push(t);
  return { ticks, increment };
}
