/** One point of a chart; `min`/`max` draw a band (a downsampled bucket's range). */
export interface ChartPoint {
  ts: number;
  value: number;
  min?: number;
  max?: number;
}

export interface LineChartProps {
  points: readonly ChartPoint[];
  width: number;
  height?: number;
  /** Time window shown; default the points' own span. */
  from?: number;
  to?: number;
  label: string;
}

const PAD = { left: 48, right: 8, top: 8, bottom: 20 };

function formatTime(ts: number, span: number): string {
  const date = new Date(ts);
  return span > 2 * 86_400_000 ? date.toLocaleDateString() : date.toLocaleTimeString();
}

function formatValue(value: number): string {
  return Math.abs(value) >= 1_000 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(2);
}

/**
 * A plain SVG line chart: one polyline (and a min–max band), no library. It draws what it is
 * given; callers ask the hub for about `width` points, so the DOM stays small.
 */
export function LineChart({ points, width, height = 160, from, to, label }: LineChartProps) {
  const start = from ?? points[0]?.ts ?? 0;
  const end = to ?? points[points.length - 1]?.ts ?? 1;
  const span = Math.max(1, end - start);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    low = Math.min(low, p.min ?? p.value);
    high = Math.max(high, p.max ?? p.value);
  }
  if (!Number.isFinite(low)) [low, high] = [0, 1];
  if (low === high) [low, high] = [low - 1, high + 1];
  const innerW = Math.max(1, width - PAD.left - PAD.right);
  const innerH = height - PAD.top - PAD.bottom;
  const x = (ts: number) => PAD.left + ((ts - start) / span) * innerW;
  const y = (v: number) => PAD.top + (1 - (v - low) / (high - low)) * innerH;
  const line = points.map((p) => `${x(p.ts).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const banded = points.filter((p) => p.min !== undefined && p.max !== undefined);
  const band =
    banded.length > 1
      ? `${banded.map((p) => `${x(p.ts).toFixed(1)},${y(p.max as number).toFixed(1)}`).join(" ")} ${[...banded]
          .reverse()
          .map((p) => `${x(p.ts).toFixed(1)},${y(p.min as number).toFixed(1)}`)
          .join(" ")}`
      : "";
  return (
    <svg width={width} height={height} role="img" aria-label={label} data-points={points.length} className="telehub-chart">
      <rect x={PAD.left} y={PAD.top} width={innerW} height={innerH} fill="none" stroke="#ddd" />
      <text x={PAD.left - 4} y={PAD.top + 10} fontSize="10" textAnchor="end">
        {formatValue(high)}
      </text>
      <text x={PAD.left - 4} y={PAD.top + innerH} fontSize="10" textAnchor="end">
        {formatValue(low)}
      </text>
      <text x={PAD.left} y={height - 4} fontSize="10">
        {formatTime(start, span)}
      </text>
      <text x={width - PAD.right} y={height - 4} fontSize="10" textAnchor="end">
        {formatTime(end, span)}
      </text>
      {band && <polygon points={band} fill="rgba(25,118,210,0.15)" stroke="none" />}
      {points.length > 0 && <polyline points={line} fill="none" stroke="#1976d2" strokeWidth="1.5" />}
    </svg>
  );
}
