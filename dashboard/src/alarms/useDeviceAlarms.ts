import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ChartSpan } from "../charts/alarm-spans";
import { useNow } from "../devices/useNow";
import { useLive } from "../live/LiveContext";
import { resolveRange, type TimeRange } from "../time/time-range";
import { fetchDeviceAlarms } from "./alarm-api";
import { type AlarmWithTransitions, alarmSpans } from "./alarm-history";

/** Alarm events of a device cost at most one reload per this long. */
const RELOAD_THROTTLE_MS = 1_000;
/** An active alarm's span grows to "now" at this pace. */
const SPAN_TICK_MS = 5_000;

export interface DeviceAlarms {
  /** The device's active alarms, newest raised first. */
  open: AlarmWithTransitions[];
  /** The spans of its alarms inside the page's range, for the charts. */
  spans: ChartSpan[];
  error: string | undefined;
}

/**
 * A device's alarms for its page: the active ones (`GET /alarms?deviceId&status=active`) and the
 * spans of those active during the range (the 100 newest raised before its end, with their
 * transitions). Reloaded when the range or `refreshKey` changes and after the device's alarm
 * events (`alarms:<deviceId>`).
 */
export function useDeviceAlarms(deviceId: string, range: TimeRange, refreshKey: number): DeviceAlarms {
  const [open, setOpen] = useState<AlarmWithTransitions[]>([]);
  const [history, setHistory] = useState<AlarmWithTransitions[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [reloads, setReloads] = useState(0);
  const now = useNow(SPAN_TICK_MS);
  const rangeKey = JSON.stringify(range);
  // biome-ignore lint/correctness/useExhaustiveDependencies: fetched again on the range (rangeKey), refreshKey and live events (reloads)
  useEffect(() => {
    if (!deviceId) return;
    let current = true;
    const to = range.kind === "absolute" ? range.to : undefined;
    Promise.all([fetchDeviceAlarms(deviceId, { status: "active" }), fetchDeviceAlarms(deviceId, { to })]).then(
      ([active, raised]) => {
        if (!current) return;
        setOpen(active);
        setHistory(raised);
        setError(undefined);
      },
      (failure: Error) => {
        if (current) setError(failure.message);
      },
    );
    return () => {
      current = false;
    };
  }, [deviceId, rangeKey, refreshKey, reloads]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const reloadSoon = useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      setReloads((n) => n + 1);
    }, RELOAD_THROTTLE_MS);
  }, []);
  useLive(deviceId ? [`alarms:${deviceId}`] : [], (update) => {
    if (update.alarms.some((a) => a.alarm.deviceId === deviceId) || update.dropped > 0) reloadSoon();
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: rangeKey stands for range
  const spans = useMemo(() => {
    const window = resolveRange(range, now);
    const byId = new Map([...history, ...open].map((alarm) => [alarm.id, alarm]));
    return [...byId.values()]
      .flatMap((alarm) => alarmSpans(alarm, alarm.transitions, now))
      .filter((span) => span.to > window.from && span.from < window.to);
  }, [history, open, rangeKey, now]);
  return { open, spans, error };
}
