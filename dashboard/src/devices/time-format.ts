/** "5 s ago", "3 min ago", "2 h ago", "4 d ago"; "never" for null. */
export function ago(ts: number | null | undefined, now: number): string {
  if (ts === null || ts === undefined) return "never";
  const s = Math.max(0, Math.round((now - ts) / 1_000));
  if (s < 60) return `${s} s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Data younger than this is "fresh" (green). */
export const FRESH_MS = 60_000;
/** Data older than this is "stale" (red); in between "late" (orange). */
export const STALE_MS = 600_000;

export type Freshness = "fresh" | "late" | "stale" | "none";

/** How fresh a device's newest reading is: connected does not imply fresh. */
export function freshnessOf(lastReadingAt: number | null | undefined, now: number): Freshness {
  if (lastReadingAt === null || lastReadingAt === undefined) return "none";
  const age = now - lastReadingAt;
  return age <= FRESH_MS ? "fresh" : age <= STALE_MS ? "late" : "stale";
}
