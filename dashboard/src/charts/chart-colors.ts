import { useTheme } from "@mui/material";
import { useMemo } from "react";

/** The colours a chart draws its frame with, from the MUI theme (so dark mode is readable). */
export interface ChartColors {
  mode: "light" | "dark";
  /** Axis tick labels: the theme's secondary text. */
  axis: string;
  /** Grid lines and ticks. */
  grid: string;
  /** What the chart is drawn on: the paper background. */
  background: string;
  /** Tooltip text. */
  text: string;
  /** Font of the axis labels (a CSS font shorthand). */
  font: string;
}

/** The chart colours of the current theme; a new object only when the theme changes. */
export function useChartColors(): ChartColors {
  const theme = useTheme();
  const { palette, typography } = theme;
  return useMemo(
    () => ({
      mode: palette.mode,
      axis: palette.text.secondary,
      grid: palette.divider,
      background: palette.background.paper,
      text: palette.text.primary,
      font: `12px ${typography.fontFamily ?? "sans-serif"}`,
    }),
    [palette.mode, palette.text.secondary, palette.divider, palette.background.paper, palette.text.primary, typography.fontFamily],
  );
}

/** `#rrggbb` (or `#rgb`) as `rgba(r, g, b, alpha)`; another CSS colour comes back as a grey. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return `rgba(128, 128, 128, ${alpha})`;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
