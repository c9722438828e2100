import { type ProcessCommand, runProcess } from "../run-process.js";
import type { Collector } from "./collector.js";
import { parseCollectorOutput, prefixed } from "./collector-output.js";

/** Most output read from a collector command. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * A custom collector that runs a command each round and parses its stdout (see
 * {@link parseCollectorOutput}); metrics are named `<name>.<key>`. A non-zero exit, a timeout or
 * unparsable output fails the round for this collector only.
 */
export function shellCollector(name: string, command: ProcessCommand, timeoutMs: number): Collector {
  return {
    name: `custom:${name}`,
    async collect() {
      const outcome = await runProcess(command, { timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES });
      if (outcome.timedOut) throw new Error(`timed out after ${timeoutMs} ms (killed)`);
      if (outcome.exitCode !== 0) {
        const detail = outcome.stderr.trim().split("\n")[0] ?? "";
        throw new Error(`exited with ${outcome.exitCode ?? outcome.signal}${detail ? `: ${detail}` : ""}`);
      }
      return prefixed(name, parseCollectorOutput(outcome.stdout));
    },
  };
}
