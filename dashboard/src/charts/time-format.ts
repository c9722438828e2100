import type { TimeZone } from "../time/time-zone.js";

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timeZone: TimeZone, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { ...options, ...(timeZone === "UTC" && { timeZone: "UTC" }) });
    formats.set(key, format);
  }
  return format;
}

const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } as const;
const TIME_SECONDS = { ...TIME, second: "2-digit" } as const;
const DATE = { day: "numeric", month: "short" } as const;

/** The calendar day of `ts` in the zone (to see where a new day starts on the axis). */
function dayOf(ts: number, timeZone: TimeZone): string {
  return dateFormat(timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
}

/**
 * Labels of the time axis ticks: "14:05" (":30" seconds when ticks are under a minute apart);
 * when the range spans days, the date under the time of each day's first tick ("00:00\n7 Dec"),
 * and ticks a day or more apart are dates only ("7 Dec").
 */
export function timeTicks(ticks: readonly number[], incrementMs: number, timeZone: TimeZone): string[] {
  if (incrementMs >= DAY_MS) return ticks.map((tick) => dateFormat(timeZone, DATE).format(tick));
  const time = dateFormat(timeZone, incrementMs < 60_000 ? TIME_SECONDS : TIME);
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  const spansDays = first !== undefined && last !== undefined && dayOf(first, timeZone) !== dayOf(last, timeZone);
  let previousDay = "";
  return ticks.map((tick) => {
    const day = dayOf(tick, timeZone);
    const label = spansDays && day !== previousDay ? `${time.format(tick)}\n${dateFormat(timeZone, DATE).format(tick)}` : time.format(tick);
    previousDay = day;
    return label;
  });
}

/** A moment in full, for tooltips: "7 Dec 2026, 14:05:09" (+ " UTC" in UTC). */
export function formatInstant(ts: number, timeZone: TimeZone): string {
  const text = dateFormat(timeZone, { ...DATE, year: "numeric", ...TIME_SECONDS }).format(ts);
  return timeZone === "UTC" ? `${text} UTC` : text;
}
