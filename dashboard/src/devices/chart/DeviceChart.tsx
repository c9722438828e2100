import { Box, Chip, Tooltip, Typography } from "@mui/material";
import { useMemo, useState } from "react";
import type { ChartSpan } from "../../charts/alarm-spans";
import { formatDuration } from "../../charts/format";
import { StateTimeline } from "../../charts/StateTimeline";
import { rateUnit, type SeriesSpec } from "../../charts/series";
import { TimeSeriesChart } from "../../charts/TimeSeriesChart";
import { useElementWidth } from "../../charts/useElementWidth";
import { resolveRange, type TimeRange } from "../../time/time-range";
import type { TimeZone } from "../../time/time-zone";
import type { DeviceLiveState } from "../device-types";
import { MAX_HISTORY_POINTS } from "../history";
import { useNow } from "../useNow";
import { isAggregated, numericData, stateData } from "./chart-data";
import type { MetricSpec } from "./metric-spec";
import { useChartSources } from "./useChartSources";

export interface DeviceChartProps {
  deviceId: string;
  title: string;
  metrics: MetricSpec[];
  range: TimeRange;
  timeZone: TimeZone;
  live: DeviceLiveState | undefined;
  /** Bump to fetch the history again (auto-refresh). */
  refreshKey: number;
  /** Alarm spans shaded behind the chart (the device's alarms, by severity). */
  alarmSpans?: readonly ChartSpan[];
}

/** Fetch widths are rounded down to this many pixels (at most a bucket per pixel), so resizing a window does not refetch each pixel. */
const WIDTH_STEP_PX = 100;

function seriesOf(spec: MetricSpec): SeriesSpec {
  const label = spec.displayName ?? spec.name;
  return spec.kind === "counter"
    ? { key: spec.name, label: `${label} (rate)`, unit: rateUnit(spec.unit), kind: "counter" }
    : { key: spec.name, label, unit: spec.unit, decimals: spec.decimals, kind: "gauge" };
}

/** What the line shows, in the operator's words: "mean per 4 s, min–max shaded". */
function caption(specs: readonly MetricSpec[], bucketMs: number | undefined, aggregated: boolean): string {
  if (bucketMs === undefined) return "";
  const every = formatDuration(bucketMs);
  const parts: string[] = [];
  if (specs.some((s) => s.kind === "gauge")) parts.push(aggregated ? `mean per ${every}, min–max shaded` : "each reading");
  if (specs.some((s) => s.kind === "counter")) parts.push(`rate per second, from the total every ${every}`);
  if (specs.some((s) => s.kind === "state")) parts.push(aggregated ? `last state per ${every}` : "each state change");
  return parts.join("; ");
}

function NotInProfile() {
  return (
    <Tooltip title="The device reports this metric, but its profile does not list it">
      <Chip size="small" variant="outlined" color="warning" label="not in profile" data-testid="not-in-profile" />
    </Tooltip>
  );
}

/**
 * One chart of the device page: the history of its metrics over the range (a min–max band when
 * buckets aggregate several readings), live values appended while the range is relative,
 * counters as rates, state metrics as a state timeline, gaps as gaps. Dragging across the plot
 * zooms in and fetches that span again at a finer bucket; "Reset zoom" goes back to the range.
 */
export function DeviceChart({ deviceId, title, metrics, range, timeZone, live, refreshKey, alarmSpans }: DeviceChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  const now = useNow(range.kind === "relative" ? 1_000 : 3_600_000);
  const rangeKey = JSON.stringify(range);
  // biome-ignore lint/correctness/useExhaustiveDependencies: resolved again when the range, the zoom or refreshKey change, not every second
  const fetchWindow = useMemo(() => zoom ?? resolveRange(range, Date.now()), [rangeKey, refreshKey, zoom]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rangeKey stands for range
  const shown = useMemo(() => resolveRange(range, now), [rangeKey, now]);
  const numeric = useMemo(() => metrics.filter((m) => m.kind !== "state"), [metrics]);
  const states = useMemo(() => metrics.filter((m) => m.kind === "state"), [metrics]);
  const points = Math.min(MAX_HISTORY_POINTS, Math.max(WIDTH_STEP_PX, Math.floor(width / WIDTH_STEP_PX) * WIDTH_STEP_PX));
  const names = useMemo(() => metrics.map((m) => m.name), [metrics]);
  const { sources, bucketMs, error } = useChartSources({
    deviceId,
    metrics: names,
    window: width > 0 ? fetchWindow : undefined,
    points,
    refreshKey,
    live,
    followLive: range.kind === "relative" && zoom === null,
  });
  const numericSources = useMemo(() => sources.filter((_s, i) => metrics[i]?.kind !== "state"), [sources, metrics]);
  const stateSources = useMemo(() => sources.filter((_s, i) => metrics[i]?.kind === "state"), [sources, metrics]);
  const series = useMemo(() => numeric.map(seriesOf), [numeric]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the sources change
  const data = useMemo(() => numericData(numeric, numericSources), [numericSources]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the sources change
  const timeline = useMemo(() => stateData(states, stateSources), [stateSources]);
  const rows = useMemo(
    () => states.map((s) => ({ key: s.name, label: s.displayName ?? s.name, states: s.type === "boolean" ? ["true", "false"] : s.states })),
    [states],
  );
  const adornment = metrics.some((m) => !m.inProfile) ? <NotInProfile /> : undefined;
  const text = caption(metrics, bucketMs, isAggregated(sources));
  return (
    <Box ref={ref} sx={{ width: "100%", minWidth: 0 }}>
      {numeric.length > 0 && (
        <TimeSeriesChart
          title={title}
          series={series}
          data={data}
          timeZone={timeZone}
          bucketMs={bucketMs}
          range={shown}
          onZoom={(from, to) => setZoom({ from, to })}
          onResetZoom={() => setZoom(null)}
          adornment={adornment}
          spans={alarmSpans}
        />
      )}
      {states.length > 0 && (
        <StateTimeline
          title={title}
          rows={rows}
          data={timeline}
          timeZone={timeZone}
          range={zoom ?? shown}
          bucketMs={bucketMs}
          adornment={numeric.length > 0 ? undefined : adornment}
          spans={alarmSpans}
        />
      )}
      {error && (
        <Typography color="error" variant="body2">
          {error}
        </Typography>
      )}
      {text && (
        <Typography variant="caption" color="text.secondary" data-testid="chart-caption">
          {text}
        </Typography>
      )}
    </Box>
  );
}
