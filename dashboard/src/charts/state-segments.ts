import { gapThreshold } from "./gaps.js";

/** A span of time a state metric held one value. */
export interface StateSegment {
  state: string;
  from: number;
  to: number;
}

/** The text of a state value: booleans as "true"/"false", strings as they are. */
export function stateText(value: string | boolean): string {
  return typeof value === "boolean" ? String(value) : value;
}

/**
 * The spans of one state metric: a sample's state lasts until the next sample, merged while it
 * does not change. A `null`, or a hole wider than {@link gapThreshold}, ends the span (no data
 * there, drawn blank); the span before a hole ends one typical spacing after its last sample,
 * and the newest span lasts until `end` (the range's end) unless that is a hole too.
 */
export function stateSegments(
  ts: readonly number[],
  values: readonly (string | boolean | null | undefined)[],
  end: number,
  bucketMs?: number,
): StateSegment[] {
  const samples: { ts: number; value: string | boolean | null }[] = [];
  for (let i = 0; i < ts.length; i++) {
    const value = values[i];
    if (value !== undefined) samples.push({ ts: ts[i] as number, value });
  }
  const present = samples.filter((s) => s.value !== null).map((s) => s.ts);
  const threshold = gapThreshold(present, bucketMs);
  const spacing = threshold > 0 ? threshold / 3 : 0;
  const segments: StateSegment[] = [];
  samples.forEach((sample, i) => {
    if (sample.value === null) return;
    const next = samples[i + 1];
    const until = next ? next.ts : Math.max(sample.ts, end);
    const hole = threshold > 0 && until - sample.ts > threshold;
    const to = hole || next?.value === null ? sample.ts + Math.max(spacing, 1) : until;
    const state = stateText(sample.value);
    const last = segments[segments.length - 1];
    if (last && last.state === state && last.to === sample.ts) last.to = to;
    else segments.push({ state, from: sample.ts, to });
  });
  return segments;
}

/** The states to colour, in order: the known ones first, then the others as they appear. */
export function stateOrder(known: readonly string[] | undefined, segments: readonly StateSegment[][]): string[] {
  const order = [...(known ?? [])];
  for (const row of segments) for (const s of row) if (!order.includes(s.state)) order.push(s.state);
  return order;
}
