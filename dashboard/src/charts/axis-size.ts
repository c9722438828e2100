import type uPlot from "uplot";

let measuring: CanvasRenderingContext2D | null | undefined;

/** The width in CSS pixels of the widest line of `labels` drawn in `font`. */
export function widestLabel(labels: readonly (string | null | undefined)[], font: string): number {
  measuring ??= document.createElement("canvas").getContext("2d");
  if (!measuring) return 0;
  measuring.font = font;
  let widest = 0;
  for (const label of labels) {
    for (const line of (label ?? "").split("\n")) widest = Math.max(widest, measuring.measureText(line).width);
  }
  return widest;
}

/** Room a y axis needs beside its labels: the tick (10 px), the gap to the labels (5 px), a margin. */
const AXIS_CHROME_PX = 10 + 5 + 6;

/**
 * A y axis as wide as its widest tick label, so "22.3 GiB" is never cut to "3 GiB": uPlot's
 * default is a fixed 50 px. uPlot calls this again while the labels change (`cycleNum`); past
 * two rounds it keeps the size it has, so the layout settles.
 */
export function yAxisSize(font: string, minimum = 40) {
  return (self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number => {
    // uPlot keeps the size it settled on in the axis' `_size` (not in its types).
    const current = (self.axes[axisIdx] as { _size?: number } | undefined)?._size;
    if (cycleNum > 1 && current !== undefined) return current;
    return Math.max(minimum, Math.ceil(widestLabel(values ?? [], font) + AXIS_CHROME_PX));
  };
}
