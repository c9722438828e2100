import uPlot from "uplot";
import type { TimeZone } from "../time/time-zone";
import { alarmSpansPlugin, type ChartSpan } from "./alarm-spans";
import { yAxisSize } from "./axis-size";
import { type ChartColors, withAlpha } from "./chart-colors";
import { formatTicks } from "./format";
import { colorOf, type SeriesSpec, type TimeSeriesData } from "./series";
import { timeTicks } from "./time-format";
import { type TooltipSeries, tooltipPlugin } from "./tooltip-plugin";

/** What a chart's uPlot instance is built from; a change of any of it builds a new one. */
export interface ChartShape {
  series: SeriesSpec[];
  /** Per series: whether it has a min–max band. */
  banded: boolean[];
  colors: ChartColors;
  timeZone: TimeZone;
  width: number;
  height: number;
}

/** What the chart component reacts to. */
export interface ChartHooks {
  /** Per uPlot series index: the samples drawn as points (isolated ones). */
  isolated: () => (number[] | undefined)[];
  /** The user selected a time span with the mouse (whole ms; uPlot then zooms to it). */
  onSelect: (from: number, to: number) => void;
  /** The alarm spans to shade behind the lines, read at each draw. */
  spans: () => readonly ChartSpan[];
  /** After each draw (to publish the chart's state on its root element). */
  onDraw: (u: uPlot, labels: { x: string[]; y: string[] }) => void;
}

/** Which series a banded series' low and high are, in uPlot's numbering. */
function bandIndices(shape: ChartShape): { max: number; min: number }[] {
  const indices: { max: number; min: number }[] = [];
  let next = shape.series.length + 1;
  shape.banded.forEach((banded, i) => {
    if (banded) {
      indices[i] = { max: next, min: next + 1 };
      next += 2;
    }
  });
  return indices;
}

/** The series of `shape` on uPlot's one aligned array: time, lines, then each band's high and low. */
export function alignedData(shape: ChartShape, data: TimeSeriesData): uPlot.AlignedData {
  const columns: (number | null | undefined)[][] = [data.ts, ...data.values];
  shape.banded.forEach((banded, i) => {
    if (banded) columns.push(data.max?.[i] ?? [], data.min?.[i] ?? []);
  });
  return columns as uPlot.AlignedData;
}

/** uPlot's scale key of a unit: series sharing a unit share an axis. */
function scaleOf(unit: string | undefined): string {
  return `y:${unit ?? ""}`;
}

/**
 * uPlot's options for a chart: a time axis in the chosen zone, one y axis per unit (the first
 * on the left, the second on the right) labelled with units and sized to its labels, lines that
 * break at `null`, isolated samples as points, min–max bands, alarm spans shaded behind them,
 * drag-to-zoom along time, and the tooltip.
 */
export function chartOptions(shape: ChartShape, hooks: ChartHooks): uPlot.Options {
  const { colors } = shape;
  const units = [...new Set(shape.series.map((s) => s.unit))];
  const bands = bandIndices(shape);
  const yLabels: string[] = [];
  const xLabels: string[] = [];
  const tooltipSeries: TooltipSeries[] = shape.series.map((spec, i) => ({
    index: i + 1,
    label: spec.label,
    unit: spec.unit,
    decimals: spec.decimals,
    color: colorOf(spec, i),
    minIndex: bands[i]?.min,
    maxIndex: bands[i]?.max,
  }));
  const lines: uPlot.Series[] = shape.series.map((spec, i) => ({
    label: spec.label,
    scale: scaleOf(spec.unit),
    stroke: colorOf(spec, i),
    width: 1.5,
    spanGaps: false,
    points: {
      size: 6,
      fill: colorOf(spec, i),
      // Dense lines get no points, except samples with no neighbour (else they would not show).
      filter: (_u: uPlot, seriesIdx: number, show: boolean) => (show ? null : (hooks.isolated()[seriesIdx] ?? null)),
    },
  }));
  const bandSeries: uPlot.Series[] = [];
  const uplotBands: uPlot.Band[] = [];
  shape.series.forEach((spec, i) => {
    const band = bands[i];
    if (!band) return;
    const edge = { scale: scaleOf(spec.unit), stroke: "rgba(0,0,0,0)", width: 0, spanGaps: false, points: { show: false } };
    bandSeries.push({ ...edge, label: `${spec.label} high` }, { ...edge, label: `${spec.label} low` });
    uplotBands.push({ series: [band.max, band.min], fill: withAlpha(colorOf(spec, i), 0.18) });
  });
  const axisLook = {
    stroke: colors.axis,
    font: colors.font,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1, size: 10 },
  };
  const yAxes: uPlot.Axis[] = units.slice(0, 2).map((unit, i) => ({
    ...axisLook,
    scale: scaleOf(unit),
    side: i === 0 ? 3 : 1,
    grid: i === 0 ? axisLook.grid : { show: false },
    size: yAxisSize(colors.font),
    values: (_u: uPlot, splits: number[], _axis: number, _space: number, increment: number) => {
      const labels = formatTicks(splits, increment, unit);
      if (i === 0) yLabels.splice(0, yLabels.length, ...labels);
      return labels;
    },
  }));
  const timeZone = shape.timeZone;
  return {
    width: shape.width,
    height: shape.height,
    ms: 1,
    tzDate: timeZone === "UTC" ? (ts: number) => uPlot.tzDate(new Date(ts), "Etc/UTC") : (ts: number) => new Date(ts),
    legend: { show: false },
    cursor: {
      drag: { x: true, y: false, setScale: true },
      // The hover dot on each line, none on a band's edges.
      points: { size: (_u: uPlot, seriesIdx: number) => (seriesIdx <= shape.series.length ? 7 : 0) },
      // Double-click resets the zoom through the chart (to its range), not to the data's extent.
      bind: { dblclick: () => () => null },
    },
    scales: { x: { time: true } },
    series: [{}, ...lines, ...bandSeries],
    bands: uplotBands,
    axes: [
      {
        ...axisLook,
        values: (_u: uPlot, splits: number[], _axis: number, _space: number, increment: number) => {
          const labels = timeTicks(splits, increment, timeZone);
          xLabels.splice(0, xLabels.length, ...labels);
          return labels;
        },
        size: (_u: uPlot, values: string[] | null) => (values?.some((v) => v?.includes("\n")) ? 56 : 38),
      },
      ...yAxes,
    ],
    plugins: [
      alarmSpansPlugin(hooks.spans, colors.mode),
      tooltipPlugin({ series: () => tooltipSeries, timeZone, colors, spans: hooks.spans }),
    ],
    hooks: {
      setSelect: [
        (u: uPlot) => {
          if (u.select.width <= 0) return;
          hooks.onSelect(Math.round(u.posToVal(u.select.left, "x")), Math.round(u.posToVal(u.select.left + u.select.width, "x")));
        },
      ],
      draw: [(u: uPlot) => hooks.onDraw(u, { x: xLabels, y: yLabels })],
    },
  };
}
