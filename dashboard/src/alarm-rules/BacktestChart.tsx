import { Box, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import type { BacktestResult, DeviceProfile } from "@telehub/hub";
import { useMemo } from "react";
import type { ChartSpan } from "../charts/alarm-spans";
import { StateTimeline } from "../charts/StateTimeline";
import { TimeSeriesChart } from "../charts/TimeSeriesChart";
import { useElementWidth } from "../charts/useElementWidth";
import { numericData, stateData } from "../devices/chart/chart-data";
import type { MetricSpec } from "../devices/chart/metric-spec";
import { fetchHistory } from "../devices/history";
import type { TimeZone } from "../time/time-zone";

/** At most a bucket per this many pixels of the chart, rounded so a resize does not refetch each pixel. */
const WIDTH_STEP_PX = 100;

/** The metric as the chart draws it: its value as stored (a counter too: rules watch the value, not the chart's rate). */
function specOf(metric: string, profile: DeviceProfile | undefined, sample: unknown): MetricSpec {
  const known = profile?.metrics.find((m) => m.name === metric);
  const type = known?.type ?? (typeof sample === "boolean" ? "boolean" : typeof sample === "string" ? "string" : "number");
  return {
    name: metric,
    type,
    kind: type === "number" ? "gauge" : "state",
    displayName: known?.displayName,
    unit: known?.unit,
    decimals: known?.decimals,
    states: known?.states,
    inProfile: known !== undefined,
  };
}

/** The metric's history over the backtest's range with the alarms it would have raised shaded by severity. */
export function BacktestChart({
  result,
  metric,
  profile,
  timeZone,
}: {
  result: BacktestResult;
  metric: string;
  profile: DeviceProfile | undefined;
  timeZone: TimeZone;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const points = Math.max(WIDTH_STEP_PX, Math.floor(width / WIDTH_STEP_PX) * WIDTH_STEP_PX);
  const { deviceId, from, to } = result;
  const { data: history, error } = useQuery({
    queryKey: ["telehub", "backtest-history", deviceId, metric, from, to, points],
    queryFn: () => fetchHistory(deviceId, metric, from, to, points),
    enabled: width > 0,
  });
  const spans = useMemo<ChartSpan[]>(() => result.alarms.flatMap((alarm) => alarm.spans), [result]);
  const spec = specOf(metric, profile, history?.data.find((bucket) => bucket.last !== null)?.last);
  const sources = history ? [{ history, live: [] }] : [];
  const range = { from, to };
  const title = `${spec.displayName ?? metric} on ${deviceId}`;
  return (
    <Box ref={ref} sx={{ width: "100%", minWidth: 0, mb: 1 }} data-testid="backtest-chart" data-spans={JSON.stringify(spans)}>
      {spec.kind === "state" ? (
        <StateTimeline
          title={title}
          rows={[{ key: metric, label: spec.displayName ?? metric, states: spec.type === "boolean" ? ["true", "false"] : spec.states }]}
          data={stateData([spec], sources)}
          timeZone={timeZone}
          range={range}
          bucketMs={history?.bucketMs}
          spans={spans}
        />
      ) : (
        <TimeSeriesChart
          title={title}
          series={[{ key: metric, label: spec.displayName ?? metric, unit: spec.unit, decimals: spec.decimals, kind: "gauge" }]}
          data={numericData([spec], sources)}
          timeZone={timeZone}
          bucketMs={history?.bucketMs}
          range={range}
          spans={spans}
        />
      )}
      {error && (
        <Typography color="error" variant="body2">
          {(error as Error).message}
        </Typography>
      )}
    </Box>
  );
}
