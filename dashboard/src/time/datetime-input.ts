import type { TimeZone } from "./time-zone";

/** The `datetime-local` input value (`2026-12-06T07:12`) of a time, in the page's zone. */
export function toDatetimeInput(ts: number, timeZone: TimeZone): string {
  const offset = timeZone === "UTC" ? 0 : new Date(ts).getTimezoneOffset() * 60_000;
  return new Date(ts - offset).toISOString().slice(0, 16);
}

/** The time a `datetime-local` input value names in the page's zone; NaN when it is not one. */
export function fromDatetimeInput(text: string, timeZone: TimeZone): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return Number.NaN;
  return timeZone === "UTC" ? Date.parse(`${text}Z`) : new Date(text).getTime();
}
