/** What a chart shows: the last `lastMs` up to now (moves with time), or a fixed window. */
export type TimeRange = { kind: "relative"; lastMs: number } | { kind: "absolute"; from: number; to: number };

/** The window `[from, to)` a range covers at `now`. */
export function resolveRange(range: TimeRange, now: number): { from: number; to: number } {
  return range.kind === "relative" ? { from: now - range.lastMs, to: now } : { from: range.from, to: range.to };
}
