import type uPlot from "uplot";
import { severityColor } from "../alarms/severity";
import { withAlpha } from "./chart-colors";
import { type ChartSpan, drawOrder } from "./chart-span.js";

export { type ChartSpan, drawOrder };

/** Fill behind the lines: light enough to read the lines through, a little stronger on a dark background. */
export const SPAN_FILL_ALPHA = { light: 0.14, dark: 0.22 } as const;
/** The solid strip along the plot's top edge that names the severity by colour, in CSS pixels. */
export const SPAN_STRIP_PX = 4;

/**
 * A uPlot plugin shading alarm spans behind the series: each span a translucent fill of its
 * severity's colour over the plot's height and a solid strip along its top edge (theme-aware:
 * `mode` picks the light or dark tints). `spans` is read at every draw, so a caller can change
 * them and call `u.redraw()` without building a new chart.
 */
export function alarmSpansPlugin(
  spans: readonly ChartSpan[] | (() => readonly ChartSpan[]),
  mode: "light" | "dark" = "light",
): uPlot.Plugin {
  const current = typeof spans === "function" ? spans : () => spans;
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const list = current();
        if (list.length === 0) return;
        const { ctx, bbox } = u;
        const strip = Math.round(SPAN_STRIP_PX * devicePixelRatio);
        ctx.save();
        ctx.beginPath();
        ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
        ctx.clip();
        for (const span of drawOrder(list)) {
          const left = Math.max(bbox.left, u.valToPos(span.from, "x", true));
          const right = Math.min(bbox.left + bbox.width, u.valToPos(span.to, "x", true));
          if (right <= left) continue;
          const color = severityColor(span.severity, mode);
          ctx.fillStyle = withAlpha(color, SPAN_FILL_ALPHA[mode]);
          ctx.fillRect(left, bbox.top, right - left, bbox.height);
          ctx.fillStyle = color;
          ctx.fillRect(left, bbox.top, right - left, strip);
        }
        ctx.restore();
      },
    },
  };
}
