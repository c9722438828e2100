const DAY_MS = 86_400_000;

/** How long a new key may live; "never" leaves `expiresAt` out (the key lives until revoked). */
export const EXPIRY_CHOICES = [
  { id: "never", label: "never", days: undefined },
  { id: "1", label: "in 1 day", days: 1 },
  { id: "7", label: "in 7 days", days: 7 },
  { id: "30", label: "in 30 days", days: 30 },
  { id: "90", label: "in 90 days", days: 90 },
  { id: "365", label: "in a year", days: 365 },
] as const;

/** The create body's expiry for a choice: `{expiresAt}` (ms since the epoch) or nothing. */
export function expiryOf(choice: string, now: number): { expiresAt?: number } {
  const days = EXPIRY_CHOICES.find((candidate) => candidate.id === choice)?.days;
  return days === undefined ? {} : { expiresAt: now + days * DAY_MS };
}
