import type uPlot from "uplot";
import { severityColor, severityLabel, severityRank } from "../alarms/severity";
import type { TimeZone } from "../time/time-zone";
import type { ChartColors } from "./chart-colors";
import type { ChartSpan } from "./chart-span.js";
import { formatValue } from "./format";
import { formatInstant } from "./time-format";

/** What the tooltip says of one series. */
export interface TooltipSeries {
  /** uPlot's index of the series' line (0 is the time axis). */
  index: number;
  label: string;
  unit?: string;
  decimals?: number;
  color: string;
  /** uPlot's indices of its bucket low and high (the band), when it has one. */
  minIndex?: number;
  maxIndex?: number;
}

/** The most severe alarm span covering `at`, if any. */
function spanAt(spans: readonly ChartSpan[], at: number): ChartSpan | undefined {
  let worst: ChartSpan | undefined;
  for (const span of spans)
    if (span.from <= at && at < span.to && (!worst || severityRank(span.severity) > severityRank(worst.severity))) worst = span;
  return worst;
}

function row(color: string, label: string, value: string): HTMLDivElement {
  const line = document.createElement("div");
  line.style.whiteSpace = "nowrap";
  const swatch = document.createElement("span");
  Object.assign(swatch.style, {
    display: "inline-block",
    width: "8px",
    height: "8px",
    marginRight: "6px",
    background: color,
    borderRadius: "2px",
  });
  const name = document.createElement("span");
  name.textContent = `${label}: `;
  const shown = document.createElement("b");
  shown.textContent = value;
  shown.setAttribute("data-testid", "chart-tooltip-value");
  line.append(swatch, name, shown);
  return line;
}

/**
 * A tooltip following the cursor: the time of the nearest sample and each series' value with
 * its unit (and the bucket's low–high when the history is aggregated), and the severity of the
 * alarm active at the cursor when the chart shades alarm spans. uPlot draws the crosshair; this
 * only writes the box (`data-testid="chart-tooltip"`).
 */
export function tooltipPlugin(options: {
  series: () => TooltipSeries[];
  timeZone: TimeZone;
  colors: ChartColors;
  spans?: () => readonly ChartSpan[];
}): uPlot.Plugin {
  let box: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        box = document.createElement("div");
        box.setAttribute("data-testid", "chart-tooltip");
        box.setAttribute("role", "status");
        Object.assign(box.style, {
          position: "absolute",
          display: "none",
          pointerEvents: "none",
          zIndex: "10",
          padding: "6px 8px",
          font: options.colors.font,
          color: options.colors.text,
          background: options.colors.background,
          border: `1px solid ${options.colors.grid}`,
          borderRadius: "4px",
          boxShadow: "0 2px 6px rgba(0,0,0,0.25)",
        });
        u.over.appendChild(box);
      },
      setCursor: (u) => {
        const { idx, left, top } = u.cursor;
        const at = idx === null || idx === undefined ? undefined : u.data[0][idx];
        if (at === undefined || left === undefined || left < 0 || top === undefined) {
          box.style.display = "none";
          return;
        }
        const time = document.createElement("div");
        time.textContent = formatInstant(at, options.timeZone);
        time.setAttribute("data-testid", "chart-tooltip-time");
        const lines: HTMLElement[] = [time];
        for (const series of options.series()) {
          const value = u.data[series.index]?.[idx as number];
          let text = typeof value === "number" ? formatValue(value, series.unit, series.decimals) : "no data";
          const low = series.minIndex === undefined ? undefined : u.data[series.minIndex]?.[idx as number];
          const high = series.maxIndex === undefined ? undefined : u.data[series.maxIndex]?.[idx as number];
          if (typeof value === "number" && typeof low === "number" && typeof high === "number") {
            const [lowText, highText] = [formatValue(low, series.unit, series.decimals), formatValue(high, series.unit, series.decimals)];
            if (lowText !== highText) text += ` (${lowText} – ${highText})`;
          }
          lines.push(row(series.color, series.label, text));
        }
        const alarm = options.spans && spanAt(options.spans(), u.posToVal(left, "x"));
        if (alarm) {
          const line = row(severityColor(alarm.severity, options.colors.mode), "alarm", severityLabel(alarm.severity));
          line.setAttribute("data-testid", "chart-tooltip-alarm");
          line.querySelector("b")?.setAttribute("data-testid", "chart-tooltip-alarm-severity");
          lines.push(line);
        }
        box.replaceChildren(...lines);
        box.style.display = "block";
        // Beside the cursor, on the side with room.
        const width = box.offsetWidth;
        const height = box.offsetHeight;
        const plotWidth = u.over.clientWidth;
        const plotHeight = u.over.clientHeight;
        box.style.left = `${left + 12 + width > plotWidth ? Math.max(0, left - 12 - width) : left + 12}px`;
        box.style.top = `${Math.max(0, Math.min(top + 12, plotHeight - height))}px`;
      },
    },
  };
}
