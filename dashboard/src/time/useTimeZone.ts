import { usePreference } from "../preferences/usePreference";
import type { TimeZone } from "./time-zone";

const readTimeZone = (stored: unknown): TimeZone => (stored === "UTC" ? "UTC" : "local");

/** The caller's time zone for every chart and time on a page: preference `timeZone`, the browser's by default. */
export function useTimeZone(): [TimeZone, (timeZone: TimeZone) => void] {
  return usePreference("timeZone", readTimeZone);
}
