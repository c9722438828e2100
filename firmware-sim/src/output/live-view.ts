import type { FleetSnapshot } from "../run/fleet-stats.js";
import { packFields } from "./fit-width.js";
import { fmt, ms, progressBar, refusalList } from "./format.js";

/** Where live output goes: a terminal gets one redrawn block, anything else plain lines. */
export interface LiveTarget {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width, read at every update (a resized terminal is followed); default 80. */
  columns?: number | undefined;
}

/** Readings the whole run will send, for the progress bar (fixed-count runs only). */
export type PlannedReadings = number | undefined;

/** Below this many columns the live view uses its compact form (short labels). */
export const COMPACT_BELOW_COLUMNS = 80;

/** The widest progress bar drawn (between the brackets). */
const BAR_WIDTH = 30;

/**
 * Live view of a run: call `update` with each snapshot and `end` once. On a terminal every line
 * fits the terminal's width (fields move to the next line rather than wrap), so the redraw
 * moves up over exactly the lines it drew.
 */
export class LiveView {
  private drawnLines = 0;

  constructor(
    private readonly target: LiveTarget,
    private readonly planned: PlannedReadings,
  ) {}

  update(s: FleetSnapshot): void {
    if (!this.target.isTTY) {
      this.target.write(`${statusLine(s)}\n`);
      return;
    }
    const lines = liveBlock(s, this.planned, this.target.columns ?? 80);
    // Move up over the previous block and clear it; clear what is left below if it was taller.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : "";
    this.target.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n\x1b[0J`);
    this.drawnLines = lines.length;
  }

  end(): void {
    this.drawnLines = 0;
  }
}

/** The terminal block for one snapshot: no line longer than `columns`. */
export function liveBlock(s: FleetSnapshot, planned: PlannedReadings, columns: number): string[] {
  const width = Math.max(1, columns);
  const compact = width < COMPACT_BELOW_COLUMNS;
  const lines = packFields(compact ? compactFields(s) : statusFields(s), width, compact ? " " : "  ");
  if (planned !== undefined) {
    const count = compact ? `${fmt(s.sent)}/${fmt(planned)}` : `${fmt(s.sent)} / ${fmt(planned)} readings`;
    // "[" + bar + "] 100 %" is the bar's width + 8; then two spaces and the count.
    const barWidth = Math.min(BAR_WIDTH, width - count.length - 10);
    const fields = barWidth >= 5 ? [`${progressBar(s.sent / planned, barWidth)}  ${count}`] : [count];
    lines.push(...packFields(fields, width));
  }
  return lines;
}

/** The fleet's state, one labelled figure per field. */
function statusFields(s: FleetSnapshot): string[] {
  const refused = refusalList(s.refused);
  return [
    `${fmt(s.elapsedMs / 1000, 1).padStart(6)} s`,
    `connected ${fmt(s.connected)}/${fmt(s.devices)}`,
    `sent/s ${fmt(s.sentPerSecond)}`,
    `acknowledged ${fmt(s.acknowledged)}`,
    `pending ${fmt(s.pending)}`,
    `dropped ${fmt(s.dropped)}`,
    `reconnects ${fmt(s.reconnects)}${refused ? ` (refused: ${refused})` : ""}`,
    `ack p50 ${ms(s.ackP50Ms)} p99 ${ms(s.ackP99Ms)}`,
  ];
}

/** The same figures with short labels, for terminals narrower than 80 columns. */
function compactFields(s: FleetSnapshot): string[] {
  const refused = refusalList(s.refused);
  return [
    `${fmt(s.elapsedMs / 1000, 1)}s`,
    `conn ${fmt(s.connected)}/${fmt(s.devices)}`,
    `${fmt(s.sentPerSecond)}/s`,
    `ack ${fmt(s.acknowledged)}`,
    `pend ${fmt(s.pending)}`,
    `drop ${fmt(s.dropped)}`,
    `recon ${fmt(s.reconnects)}${refused ? ` (${refused})` : ""}`,
    `p50 ${ms(s.ackP50Ms)}`,
    `p99 ${ms(s.ackP99Ms)}`,
  ];
}

/** One line with the fleet's state (what goes to a file or pipe, at any length). */
export function statusLine(s: FleetSnapshot): string {
  return statusFields(s).join("  ");
}
