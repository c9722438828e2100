import type { TimeRange } from "./time-range";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The relative ranges the device page offers, shortest first. */
export const RELATIVE_RANGES: readonly { label: string; lastMs: number }[] = [
  { label: "15 min", lastMs: 15 * MINUTE },
  { label: "1 h", lastMs: HOUR },
  { label: "6 h", lastMs: 6 * HOUR },
  { label: "24 h", lastMs: DAY },
  { label: "7 d", lastMs: 7 * DAY },
  { label: "30 d", lastMs: 30 * DAY },
];

/** The device page's range when it opens: the last hour. */
export const DEFAULT_RANGE: TimeRange = { kind: "relative", lastMs: HOUR };

/** Auto-refresh periods of the history (0 = off). */
export const REFRESH_PERIODS: readonly { label: string; ms: number }[] = [
  { label: "Off", ms: 0 },
  { label: "10 s", ms: 10_000 },
  { label: "30 s", ms: 30_000 },
  { label: "1 min", ms: MINUTE },
  { label: "5 min", ms: 5 * MINUTE },
];

/** Auto-refresh of a relative range unless the user picks another period. */
export const DEFAULT_REFRESH_MS = 30_000;
