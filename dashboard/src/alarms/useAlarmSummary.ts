import { useCallback, useEffect, useRef, useState } from "react";
import { useLive, useLiveStatus } from "../live/LiveContext";
import { type AlarmSummary, fetchAlarmSummary } from "./alarm-api";

/** Asked again this often even without news (a missed event must not leave the badge wrong for long). */
export const SUMMARY_REFRESH_MS = 60_000;
/** A burst of alarm events costs at most one request per this long. */
const SUMMARY_THROTTLE_MS = 500;

/**
 * The open alarms counted (`GET /alarms/summary`): fetched at once, again after alarm events on
 * the live channel (`alarms:*`, throttled), after the live connection comes back, and every
 * `SUMMARY_REFRESH_MS`. Undefined until the first answer, or while the hub refuses.
 */
export function useAlarmSummary(): AlarmSummary | undefined {
  const [summary, setSummary] = useState<AlarmSummary | undefined>();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(0);
  const load = useCallback(() => {
    const ticket = ++asked.current;
    fetchAlarmSummary().then(
      (answer) => {
        if (ticket === asked.current) setSummary(answer);
      },
      () => {
        if (ticket === asked.current) setSummary(undefined);
      },
    );
  }, []);
  const soon = useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      load();
    }, SUMMARY_THROTTLE_MS);
  }, [load]);
  useEffect(() => {
    load();
    const every = setInterval(load, SUMMARY_REFRESH_MS);
    return () => {
      clearInterval(every);
      clearTimeout(timer.current);
    };
  }, [load]);
  const status = useLiveStatus();
  useEffect(() => {
    if (status.state === "open") soon();
  }, [status.state, soon]);
  useLive(["alarms:*"], (update) => {
    if (update.alarms.length > 0 || update.dropped > 0) soon();
  });
  return summary;
}
