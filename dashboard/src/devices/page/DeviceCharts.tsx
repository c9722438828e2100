import { Box, Typography } from "@mui/material";
import type { ChartSpan } from "../../charts/alarm-spans";
import type { TimeRange } from "../../time/time-range";
import type { TimeZone } from "../../time/time-zone";
import { DeviceChart } from "../chart/DeviceChart";
import type { DeviceLiveState } from "../device-types";
import type { PlannedChart } from "./chart-plan";

/** The charts the user shows, in the page's order: two a row on a wide screen, one on a phone. */
export function DeviceCharts({
  deviceId,
  charts,
  range,
  timeZone,
  live,
  refreshKey,
  alarmSpans,
}: {
  deviceId: string;
  charts: PlannedChart[];
  range: TimeRange;
  timeZone: TimeZone;
  live: DeviceLiveState | undefined;
  refreshKey: number;
  /** The device's alarm spans, shaded on every chart. */
  alarmSpans?: readonly ChartSpan[];
}) {
  if (charts.length === 0)
    return (
      <Typography color="text.secondary" data-testid="no-charts">
        No charts shown: the device has reported no metrics yet, or every chart is hidden (Charts).
      </Typography>
    );
  return (
    <Box
      data-testid="device-charts"
      sx={{ display: "grid", gap: 2, gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 460px), 1fr))", "& > *": { minWidth: 0 } }}
    >
      {charts.map((chart) => (
        <Box key={chart.title} data-testid="device-chart" data-chart-title={chart.title}>
          <DeviceChart
            deviceId={deviceId}
            title={chart.title}
            metrics={chart.metrics}
            range={range}
            timeZone={timeZone}
            live={live}
            refreshKey={refreshKey}
            alarmSpans={alarmSpans}
          />
        </Box>
      ))}
    </Box>
  );
}
