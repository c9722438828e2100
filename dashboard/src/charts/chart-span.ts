import type { Severity } from "@telehub/hub";
import { severityRank } from "../alarms/severity.js";

/** A time span during which an alarm was active at one severity (ms; `to` may be the range's end). */
export type ChartSpan = { from: number; to: number; severity: Severity };

/** Spans drawn most severe last (on top), so an overlap shows the worse one; empty spans left out. */
export function drawOrder(spans: readonly ChartSpan[]): ChartSpan[] {
  return [...spans].filter((s) => s.to > s.from).sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.from - b.from);
}
