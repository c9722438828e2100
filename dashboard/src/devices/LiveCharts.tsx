import { Box, Card, CardContent, Typography } from "@mui/material";
import { useCallback, useEffect, useReducer, useRef } from "react";
import { type ChartPoint, LineChart } from "../charts/LineChart";
import { useElementWidth } from "../charts/useElementWidth";
import { useLive } from "../live/LiveContext";
import type { LiveValue } from "../live/live-types";
import { formatValue } from "./DeviceFields";
import type { DeviceLiveState } from "./device-types";
import { chartPointsOf, fetchHistory } from "./history";
import { useNow } from "./useNow";

const GAP = 24;

/** The window the live charts show. */
export const LIVE_WINDOW_MS = 5 * 60_000;

/** Per metric, the live window's points: seeded from history, then each live reading. */
export function useLiveWindows(deviceId: string, width: number) {
  const windows = useRef(new Map<string, ChartPoint[]>());
  const seeded = useRef(new Set<string>());
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const onReading = useCallback((reading: LiveValue) => {
    if (typeof reading.value !== "number") return;
    const points = windows.current.get(reading.metric) ?? [];
    const last = points[points.length - 1];
    if (!last || reading.ts > last.ts) points.push({ ts: reading.ts, value: reading.value });
    const cutoff = Date.now() - LIVE_WINDOW_MS;
    while (points.length > 0 && ((points[0]?.ts ?? 0) < cutoff || points.length > 2_000)) points.shift();
    windows.current.set(reading.metric, points);
    redraw();
  }, []);
  const seed = useCallback(
    (metric: string) => {
      if (seeded.current.has(metric) || width <= 0) return;
      seeded.current.add(metric);
      const to = Date.now();
      fetchHistory(deviceId, metric, to - LIVE_WINDOW_MS, to, width).then(
        (history) => {
          const older = chartPointsOf(history);
          const newer = windows.current.get(metric) ?? [];
          const firstLive = newer[0]?.ts ?? Number.POSITIVE_INFINITY;
          windows.current.set(metric, [...older.filter((p) => p.ts < firstLive), ...newer]);
          redraw();
        },
        () => seeded.current.delete(metric),
      );
    },
    [deviceId, width],
  );
  return { windows: windows.current, onReading, seed };
}

/** One moving chart per numeric metric of the device (its own subscription to the device's telemetry). */
export function LiveCharts({ deviceId, state }: { deviceId: string; state: DeviceLiveState | undefined }) {
  const now = useNow();
  const [widthRef, width] = useElementWidth<HTMLDivElement>();
  // Two charts a row on a wide screen.
  const chartWidth = width >= 800 ? Math.floor((width - GAP) / 2) : width;
  const { windows, onReading, seed } = useLiveWindows(deviceId, chartWidth);
  useLive([`telemetry:${deviceId}`], (update) => {
    for (const reading of update.telemetry) if (reading.deviceId === deviceId) onReading(reading);
  });
  const metrics = Object.entries(state?.values ?? {})
    .filter(([, entry]) => typeof entry.value === "number")
    .map(([metric]) => metric)
    .sort();
  useEffect(() => {
    for (const metric of metrics) seed(metric);
  });
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Live (last 5 minutes)</Typography>
        <Box ref={widthRef} sx={{ width: "100%", display: "flex", flexWrap: "wrap", columnGap: `${GAP}px` }}>
          {metrics.length === 0 && <Typography color="text.secondary">No numeric readings yet.</Typography>}
          {metrics.map((metric) => (
            <Box key={metric} data-testid={`live-chart-${metric}`} sx={{ mt: 1, width: chartWidth }}>
              <Typography variant="subtitle2">
                {metric}: <span data-testid={`live-value-${metric}`}>{formatValue(state?.values[metric]?.value ?? "")}</span>
              </Typography>
              {chartWidth > 0 && (
                <LineChart
                  label={`${metric} live`}
                  points={windows.get(metric) ?? []}
                  width={chartWidth}
                  height={120}
                  from={now - LIVE_WINDOW_MS}
                  to={now}
                />
              )}
            </Box>
          ))}
        </Box>
      </CardContent>
    </Card>
  );
}
