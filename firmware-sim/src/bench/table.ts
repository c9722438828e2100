/** One row of the benchmark table: what, the hub's figure, the baseline measured in the same run, the ratio. */
export type Row = [scenario: string, hub: string, baseline: string, ratio: string];

const HEADER: Row = ["scenario", "hub", "baseline (same run)", "ratio"];

/** The rows as a Markdown table (it reads as plain text too). */
export function renderTable(rows: readonly Row[]): string {
  const widths = HEADER.map((_, i) => Math.max(...[HEADER, ...rows].map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(HEADER), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
