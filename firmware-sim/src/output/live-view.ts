import type { FleetSnapshot } from "../run/fleet-stats.js";
import { fmt, ms, progressBar, refusalList } from "./format.js";

/** Where live output goes: a terminal gets one redrawn block, anything else plain lines. */
export interface LiveTarget {
  write(text: string): void;
  isTTY: boolean;
}

/** Readings the whole run will send, for the progress bar (fixed-count runs only). */
export type PlannedReadings = number | undefined;

/** Live view of a run: call `update` with each snapshot and `end` once. */
export class LiveView {
  private drawnLines = 0;

  constructor(
    private readonly target: LiveTarget,
    private readonly planned: PlannedReadings,
  ) {}

  update(s: FleetSnapshot): void {
    const line = statusLine(s);
    if (!this.target.isTTY) {
      this.target.write(`${line}\n`);
      return;
    }
    const lines = [line];
    if (this.planned !== undefined) lines.push(`${progressBar(s.sent / this.planned)}  ${fmt(s.sent)} / ${fmt(this.planned)} readings`);
    // Move up over the previous block and clear it.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : "";
    this.target.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    this.drawnLines = lines.length;
  }

  end(): void {
    this.drawnLines = 0;
  }
}

/** One line with the fleet's state. */
export function statusLine(s: FleetSnapshot): string {
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
  ].join("  ");
}
