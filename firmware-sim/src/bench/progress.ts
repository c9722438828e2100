import { fmt } from "../output/format.js";

const startedAt = performance.now();

/** One line on stderr saying which scenario runs now, with the seconds since the benchmark started. */
export function progress(message: string): void {
  process.stderr.write(`bench ${fmt((performance.now() - startedAt) / 1000, 0).padStart(4)} s: ${message}\n`);
}
