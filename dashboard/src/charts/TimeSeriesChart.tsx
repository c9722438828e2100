import { Box, Button } from "@mui/material";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TimeZone } from "../time/time-zone";
import type { ChartSpan } from "./alarm-spans";
import { ChartHeader } from "./ChartHeader";
import { useChartColors } from "./chart-colors";
import { countBreaks, isolatedIndices, withGaps } from "./gaps";
import { colorOf, type SeriesSpec, type TimeSeriesData } from "./series";
import { alignedData, type ChartShape, chartOptions } from "./uplot-options";
import { useElementWidth } from "./useElementWidth";

export interface TimeSeriesChartProps {
  title: string;
  series: SeriesSpec[];
  data: TimeSeriesData;
  /** Height of the plot with its axes, in CSS pixels; default 200. */
  height?: number;
  timeZone: TimeZone;
  /** The history's bucket width: a hole wider than two buckets (and three median spacings) is a gap. */
  bucketMs?: number;
  /** The user zoomed to `[from, to]` (drag across the plot). */
  onZoom?: (from: number, to: number) => void;
  /** The user pressed "Reset zoom" (or double-clicked the plot). */
  onResetZoom?: () => void;
  /** The time window shown when not zoomed; default the data's extent. */
  range?: { from: number; to: number };
  /** Shown beside the title (a badge). */
  adornment?: ReactNode;
  /** Alarm spans shaded behind the lines in their severity's colour; a change redraws, never rebuilds. */
  spans?: readonly ChartSpan[];
}

const NO_SPANS: readonly ChartSpan[] = [];

type Window = { from: number; to: number };

/**
 * A time-series chart drawn by uPlot: lines with gaps where data stopped, min–max bands, a
 * tooltip with time and values with units, drag-to-zoom with a "Reset zoom" button, axes in the
 * theme's colours. New data is handed to the same uPlot instance at most once per animation
 * frame; the instance is rebuilt only when the series, theme, time zone or size change.
 *
 * The root (`data-testid="chart"`) publishes what it draws for tests and tools: `data-x-min`,
 * `data-x-max` (the time window, ms), `data-points`, `data-x-labels` and `data-y-labels` (JSON), `data-axis-color`, `data-axis-font`,
 * `data-series-colors` (JSON), `data-zoomed`, `data-gaps` (breaks inside the lines), `data-builds`
 * (uPlot instances made), `data-draws` (redraws) and `data-alarm-spans` (JSON: the spans inside
 * the window drawn).
 */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { title, series, data, height = 200, timeZone, bucketMs, range, onZoom, onResetZoom, adornment, spans = NO_SPANS } = props;
  const colors = useChartColors();
  const [boxRef, width] = useElementWidth<HTMLDivElement>();
  const rootRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const zoomRef = useRef<Window | null>(null);
  const [zoomed, setZoomed] = useState(false);
  const isolatedRef = useRef<(number[] | undefined)[]>([]);
  const counts = useRef({ builds: 0, draws: 0 });
  const callbacks = useRef({ onZoom, onResetZoom });
  callbacks.current = { onZoom, onResetZoom };
  const spansRef = useRef(spans);
  spansRef.current = spans;

  const banded = useMemo(
    () => series.map((_s, i) => (data.min?.[i]?.some((v) => typeof v === "number") ?? false) && data.max?.[i] !== undefined),
    [series, data.min, data.max],
  );
  const shapeKey = JSON.stringify([series, banded, colors, timeZone, height]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt on the key, not on each new array
  const shape = useMemo<ChartShape>(() => ({ series, banded, colors, timeZone, width: 0, height }), [shapeKey]);
  const aligned = useMemo(() => {
    const gapped = withGaps(data, bucketMs);
    const columns = alignedData(shape, gapped);
    isolatedRef.current = columns.map((column, i) => (i === 0 ? undefined : isolatedIndices(column as (number | null | undefined)[])));
    return columns;
  }, [data, bucketMs, shape]);

  // The window to show: the zoom, else the range, else the data's extent.
  const windowOf = useCallback((): Window | undefined => zoomRef.current ?? range, [range]);
  const pending = useRef<{ frame: number | null; apply: () => void }>({ frame: null, apply: () => undefined });
  const schedule = useCallback((apply: () => void) => {
    pending.current.apply = apply;
    if (pending.current.frame !== null) return;
    pending.current.frame = requestAnimationFrame(() => {
      pending.current.frame = null;
      pending.current.apply();
    });
  }, []);

  const show = useCallback((u: uPlot, columns: uPlot.AlignedData, window: Window | undefined) => {
    u.batch(() => {
      u.setData(columns, true);
      if (window && window.to > window.from) u.setScale("x", { min: window.from, max: window.to });
    });
  }, []);

  const resetZoom = useCallback(() => {
    zoomRef.current = null;
    setZoomed(false);
    const u = plotRef.current;
    if (u) show(u, u.data, range);
    callbacks.current.onResetZoom?.();
  }, [range, show]);
  const resetZoomRef = useRef(resetZoom);
  resetZoomRef.current = resetZoom;

  // Build (and rebuild) the uPlot instance.
  // biome-ignore lint/correctness/useExhaustiveDependencies: data reaches a built chart through setData below
  useEffect(() => {
    const target = boxRef.current;
    if (!target || width <= 0) return;
    const options = chartOptions(
      { ...shape, width },
      {
        isolated: () => isolatedRef.current,
        spans: () => spansRef.current,
        onSelect: (from, to) => {
          zoomRef.current = { from, to };
          setZoomed(true);
          callbacks.current.onZoom?.(from, to);
        },
        onDraw: (u, labels) => {
          const root = rootRef.current;
          if (!root) return;
          root.dataset.xMin = String(Math.round(u.scales.x?.min ?? 0));
          root.dataset.xMax = String(Math.round(u.scales.x?.max ?? 0));
          root.dataset.points = String(u.data[0].length);
          root.dataset.draws = String(++counts.current.draws);
          root.dataset.yLabels = JSON.stringify(labels.y);
          root.dataset.xLabels = JSON.stringify(labels.x);
          const [min, max] = [u.scales.x?.min ?? 0, u.scales.x?.max ?? 0];
          root.dataset.alarmSpans = JSON.stringify(spansRef.current.filter((s) => s.to > min && s.from < max));
          root.dataset.gaps = String(
            u.data.slice(1, shape.series.length + 1).reduce((sum, column) => sum + countBreaks(column as (number | null | undefined)[]), 0),
          );
        },
      },
    );
    const u = new uPlot(options, [[]], target);
    if (rootRef.current) rootRef.current.dataset.builds = String(++counts.current.builds);
    plotRef.current = u;
    show(u, aligned, windowOf());
    const onDoubleClick = () => resetZoomRef.current();
    u.over.addEventListener("dblclick", onDoubleClick);
    return () => {
      u.over.removeEventListener("dblclick", onDoubleClick);
      u.destroy();
      plotRef.current = null;
    };
  }, [shape, width > 0]);

  useEffect(() => {
    if (width > 0) plotRef.current?.setSize({ width, height });
  }, [width, height]);

  // New spans: a redraw of the same instance (the plugin reads them through spansRef at each draw).
  // biome-ignore lint/correctness/useExhaustiveDependencies: redrawn when the spans change
  useEffect(() => {
    plotRef.current?.redraw(false);
  }, [spans]);

  // New data or a moving range: at most one setData per animation frame.
  useEffect(() => {
    schedule(() => {
      const u = plotRef.current;
      if (u) show(u, aligned, windowOf());
    });
  }, [aligned, windowOf, schedule, show]);

  useEffect(
    () => () => {
      if (pending.current.frame !== null) cancelAnimationFrame(pending.current.frame);
    },
    [],
  );

  return (
    <Box
      ref={rootRef}
      data-testid="chart"
      data-chart-title={title}
      data-chart-kind="time-series"
      data-axis-color={colors.axis}
      data-axis-font={colors.font}
      data-series-colors={JSON.stringify(series.map((s, i) => colorOf(s, i)))}
      data-zoomed={zoomed ? "true" : "false"}
      sx={{ width: "100%", minWidth: 0 }}
    >
      <ChartHeader
        title={title}
        adornment={adornment}
        legend={series.length > 1 ? series.map((s, i) => ({ key: s.key, label: s.label, color: colorOf(s, i), swatch: "line" })) : []}
        actions={
          zoomed && (
            <Button size="small" onClick={resetZoom}>
              Reset zoom
            </Button>
          )
        }
      />
      <Box ref={boxRef} sx={{ width: "100%", minHeight: height }} />
    </Box>
  );
}
