import { Box, Card, CardContent, Typography } from "@mui/material";
import { useMemo } from "react";
import type { TimeRange } from "../time/time-range";
import { DeviceChart } from "./chart/DeviceChart";
import { type MetricSpec, specForUnprofiled } from "./chart/metric-spec";
import { formatValue } from "./DeviceFields";
import type { DeviceLiveState } from "./device-types";

/** The window the live charts show. */
export const LIVE_WINDOW_MS = 5 * 60_000;

const LIVE_RANGE: TimeRange = { kind: "relative", lastMs: LIVE_WINDOW_MS };

/** One moving chart per metric of the device (titled by the metric's name), two a row on a wide screen. */
export function LiveCharts({ deviceId, state }: { deviceId: string; state: DeviceLiveState | undefined }) {
  const names = Object.keys(state?.values ?? {}).sort();
  const namesKey = names.join("\n");
  // One spec array per metric, kept while the metric set is the same (a chart is rebuilt only when its metrics change).
  // biome-ignore lint/correctness/useExhaustiveDependencies: namesKey stands for the metric set
  const specs = useMemo(
    () => new Map<string, MetricSpec[]>(names.map((name) => [name, [specForUnprofiled(name, state?.values[name]?.value)]])),
    [namesKey],
  );
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Live (last 5 minutes)</Typography>
        <Box sx={{ display: "grid", gridTemplateColumns: { xs: "1fr", md: "1fr 1fr" }, gap: 3 }}>
          {names.length === 0 && <Typography color="text.secondary">No readings yet.</Typography>}
          {names.map((metric) => (
            <Box key={metric} data-testid={`live-chart-${metric}`} sx={{ mt: 1, minWidth: 0 }}>
              <Typography variant="body2" color="text.secondary">
                now: <span data-testid={`live-value-${metric}`}>{formatValue(state?.values[metric]?.value ?? "")}</span>
              </Typography>
              <DeviceChart
                deviceId={deviceId}
                title={metric}
                metrics={specs.get(metric) ?? []}
                range={LIVE_RANGE}
                timeZone="local"
                live={state}
                refreshKey={0}
              />
            </Box>
          ))}
        </Box>
      </CardContent>
    </Card>
  );
}
