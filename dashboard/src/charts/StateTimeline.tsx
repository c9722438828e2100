import { Box } from "@mui/material";
import { type MouseEvent, type ReactNode, useMemo, useState } from "react";
import { severityColor } from "../alarms/severity";
import type { TimeZone } from "../time/time-zone";
import { type ChartSpan, drawOrder, SPAN_FILL_ALPHA, SPAN_STRIP_PX } from "./alarm-spans";
import { widestLabel } from "./axis-size";
import { ChartHeader } from "./ChartHeader";
import { useChartColors } from "./chart-colors";
import { formatDuration } from "./format";
import { PALETTE } from "./series";
import { type StateSegment, stateOrder, stateSegments } from "./state-segments";
import { formatInstant, timeTicks } from "./time-format";
import { timeAxisTicks } from "./time-ticks";
import { useElementWidth } from "./useElementWidth";

export interface StateTimelineProps {
  title: string;
  /** One lane per state metric; `states`: its known values, in legend order. */
  rows: { key: string; label: string; states?: string[] }[];
  /** `values[i][k]`: lane i at `ts[k]`; `null` = no data from there. */
  data: { ts: number[]; values: (string | boolean | null | undefined)[][] };
  timeZone: TimeZone;
  range: { from: number; to: number };
  /** The history's bucket width (a hole wider than two buckets is no data). */
  bucketMs?: number;
  adornment?: ReactNode;
  /** Alarm spans shaded over the lanes in their severity's colour. */
  spans?: readonly ChartSpan[];
}

const LANE_PX = 26;
const LANE_GAP_PX = 6;
const AXIS_PX = 34;
/** Booleans: on is green, off grey, whatever the palette. */
const BOOLEAN_COLORS: Record<string, string> = { true: "#43a047", false: "#9e9e9e" };
/** Other states: the palette without the booleans' green, so "idle" never looks like "true". */
const STATE_COLORS = PALETTE.filter((color) => color !== BOOLEAN_COLORS.true);

function colorOfState(state: string, order: readonly string[]): string {
  const boolean = BOOLEAN_COLORS[state];
  if (boolean) return boolean;
  const others = order.filter((s) => BOOLEAN_COLORS[s] === undefined);
  return STATE_COLORS[others.indexOf(state) % STATE_COLORS.length] ?? PALETTE[0];
}

type Hover = { lane: number; segment: StateSegment; x: number; y: number };

/**
 * Booleans and enums as a state timeline: one lane per metric, a coloured span per state, a
 * legend of the states, and a tooltip with the state and its time span. Drawn in SVG: spans are
 * merged while the state holds, so a lane has few elements even over long ranges.
 */
export function StateTimeline({ title, rows, data, timeZone, range, bucketMs, adornment, spans = [] }: StateTimelineProps) {
  const colors = useChartColors();
  const [boxRef, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<Hover | undefined>();
  const lanes = useMemo(
    () => rows.map((_row, i) => stateSegments(data.ts, data.values[i] ?? [], range.to, bucketMs)),
    [rows, data, range.to, bucketMs],
  );
  const order = useMemo(
    () =>
      stateOrder(
        rows.flatMap((r) => r.states ?? []),
        lanes,
      ),
    [rows, lanes],
  );
  const labelPx =
    rows.length > 1
      ? Math.ceil(
          widestLabel(
            rows.map((r) => r.label),
            colors.font,
          ),
        ) + 12
      : 0;
  const plotPx = Math.max(1, width - labelPx - 8);
  const span = Math.max(1, range.to - range.from);
  const x = (t: number) => labelPx + Math.min(plotPx, Math.max(0, ((t - range.from) / span) * plotPx));
  const height = rows.length * (LANE_PX + LANE_GAP_PX) + AXIS_PX;
  const { ticks, increment } = timeAxisTicks(range.from, range.to, plotPx, timeZone);
  const tickLabels = timeTicks(ticks, increment, timeZone);

  const onMove = (event: MouseEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    const lane = Math.floor(py / (LANE_PX + LANE_GAP_PX));
    const at = range.from + ((px - labelPx) / plotPx) * span;
    const segment = lanes[lane]?.find((s) => s.from <= at && at < s.to);
    setHover(segment ? { lane, segment, x: px, y: py } : undefined);
  };

  return (
    <Box
      data-testid="chart"
      data-chart-title={title}
      data-chart-kind="state"
      data-axis-color={colors.axis}
      sx={{ width: "100%", minWidth: 0 }}
    >
      <ChartHeader
        title={title}
        adornment={adornment}
        legend={order.map((state) => ({ key: state, label: state, color: colorOfState(state, order), swatch: "block" }))}
        legendTestId="state-legend"
      />
      <Box ref={boxRef} sx={{ position: "relative", width: "100%", minHeight: height }}>
        {width > 0 && (
          <svg
            width={width}
            height={height}
            role="img"
            aria-label={`${title} state timeline`}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(undefined)}
          >
            {rows.map((row, lane) => {
              const top = lane * (LANE_PX + LANE_GAP_PX);
              return (
                <g key={row.key} data-lane={row.key}>
                  {labelPx > 0 && (
                    <text x={0} y={top + LANE_PX / 2 + 4} fontSize={12} fill={colors.axis} style={{ font: colors.font }}>
                      {row.label}
                    </text>
                  )}
                  <rect x={labelPx} y={top} width={plotPx} height={LANE_PX} fill={colors.grid} opacity={0.35} />
                  {(lanes[lane] ?? []).map((segment) => (
                    <rect
                      key={segment.from}
                      data-state={segment.state}
                      x={x(segment.from)}
                      y={top}
                      width={Math.max(1, x(segment.to) - x(segment.from))}
                      height={LANE_PX}
                      fill={colorOfState(segment.state, order)}
                    />
                  ))}
                </g>
              );
            })}
            {drawOrder(spans)
              .filter((s) => s.to > range.from && s.from < range.to)
              .map((s) => {
                const color = severityColor(s.severity, colors.mode);
                const [left, right] = [x(s.from), x(s.to)];
                const lanesPx = rows.length * (LANE_PX + LANE_GAP_PX) - LANE_GAP_PX;
                return (
                  <g key={`${s.from}-${s.severity}`} data-alarm-span={s.severity} pointerEvents="none">
                    <rect
                      x={left}
                      y={0}
                      width={Math.max(1, right - left)}
                      height={lanesPx}
                      fill={color}
                      opacity={SPAN_FILL_ALPHA[colors.mode]}
                    />
                    <rect x={left} y={0} width={Math.max(1, right - left)} height={SPAN_STRIP_PX} fill={color} />
                  </g>
                );
              })}
            {ticks.map((tick, i) => {
              const top = rows.length * (LANE_PX + LANE_GAP_PX);
              return (
                <g key={tick}>
                  <line x1={x(tick)} x2={x(tick)} y1={top - LANE_GAP_PX} y2={top} stroke={colors.grid} />
                  {(tickLabels[i] ?? "").split("\n").map((line, n) => (
                    <text
                      key={line}
                      x={x(tick)}
                      y={top + 13 + n * 14}
                      fontSize={12}
                      fill={colors.axis}
                      textAnchor="middle"
                      style={{ font: colors.font }}
                    >
                      {line}
                    </text>
                  ))}
                </g>
              );
            })}
          </svg>
        )}
        {hover && (
          <Box
            data-testid="chart-tooltip"
            role="status"
            sx={{
              position: "absolute",
              left: Math.min(hover.x + 12, Math.max(0, width - 260)),
              top: hover.y + 12,
              pointerEvents: "none",
              zIndex: 10,
              px: 1,
              py: 0.5,
              bgcolor: "background.paper",
              color: "text.primary",
              border: 1,
              borderColor: "divider",
              borderRadius: 1,
              boxShadow: 2,
              typography: "caption",
              whiteSpace: "nowrap",
            }}
          >
            <div>
              {rows[hover.lane]?.label}: <b data-testid="chart-tooltip-value">{hover.segment.state}</b>
            </div>
            <div data-testid="chart-tooltip-time">
              {formatInstant(hover.segment.from, timeZone)} – {formatInstant(hover.segment.to, timeZone)} (
              {formatDuration(hover.segment.to - hover.segment.from)})
            </div>
          </Box>
        )}
      </Box>
    </Box>
  );
}
