import { appendFileSync } from "node:fs";
import { dirname } from "node:path";
import type pino from "pino";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "../../security/data-dir.js";
import { type InfluxHttp, InfluxRequestError } from "./influx-http.js";
import type { InfluxStoreMetrics } from "./influx-store-metrics.js";

/** The log line of a dead-lettered point (level `error`): stable, so that alerts can match it. */
export const DEAD_LETTER_MESSAGE = "InfluxDB refused an acknowledged point: it is in the dead-letter file";

/** A line InfluxDB refused, and its answer. */
export interface RefusedLine {
  line: string;
  reason: string;
}

/**
 * Write the lines; when InfluxDB rejects the data, halve until the rejected lines are found and
 * collect them in `refused` (the others are written). Any other failure is thrown.
 */
export async function writeIsolating(influx: InfluxHttp, lines: readonly string[], refused: RefusedLine[]): Promise<void> {
  try {
    await influx.write(lines);
  } catch (error) {
    if (!(error instanceof InfluxRequestError) || !error.isRejectedData) throw error;
    if (lines.length === 1) {
      refused.push({ line: lines[0] as string, reason: error.message });
      return;
    }
    // Rewriting points InfluxDB already took from a partial write is harmless: same series and time.
    const half = Math.ceil(lines.length / 2);
    await writeIsolating(influx, lines.slice(0, half), refused);
    await writeIsolating(influx, lines.slice(half), refused);
  }
}

/**
 * The dead-letter file: points InfluxDB refused as malformed. Every one was acknowledged to its
 * device, so this is data loss from the API's view: an alarm, not a warning. The line protocol
 * is kept for a manual replay.
 */
export class DeadLetters {
  /** Points dead-lettered since start. */
  private points = 0;

  constructor(
    private readonly path: string,
    private readonly metrics: Pick<InfluxStoreMetrics, "deadLettered">,
    private readonly log: pino.Logger,
  ) {}

  record(refused: readonly RefusedLine[]): void {
    if (refused.length === 0) return;
    ensurePrivateDir(dirname(this.path));
    appendFileSync(this.path, refused.map((r) => `${r.line}\n`).join(""), { mode: PRIVATE_FILE_MODE });
    this.points += refused.length;
    this.metrics.deadLettered(refused.length);
    this.log.error(
      { points: refused.length, totalPoints: this.points, deadLetterPath: this.path, reason: refused[0]?.reason },
      DEAD_LETTER_MESSAGE,
    );
  }
}
