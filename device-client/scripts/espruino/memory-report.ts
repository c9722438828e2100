import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_BATCH_READINGS, APP_METRICS } from "../../src/espruino/app-settings.js";
import { encodeBatch } from "../../src/espruino/batch-encoder.js";
import { ReadingRing } from "../../src/espruino/reading-ring.js";
import { buildBundle } from "./bundle.js";
import {
  BASELINE_VARS,
  CALIBRATION,
  type ClientShape,
  type CodeStorage,
  calibrationFactors,
  type EstimateLine,
  estimateVariables,
} from "./memory-estimate.js";

/*
 * The memory estimate of the ESP32 client (docs/esp32.md, "Size and memory"): the real bundle,
 * a real ring of 200 readings of the example's 3 metrics, a full batch encoded from it, and the
 * objects the example application keeps. `node dist/scripts/espruino/memory-report.js` prints it.
 */

/** Readings in the offline buffer for the budget of issue 6. */
export const BUDGET_READINGS = 200;
/** Issue 6's budget for the client with a 200-reading buffer. */
export const VARIABLE_BUDGET = 2500;

/** The client as the estimate sees it, with the ring full. */
export async function clientShape(readings = BUDGET_READINGS): Promise<ClientShape> {
  const ring = new ReadingRing(APP_METRICS, readings);
  for (let i = 0; i < readings + 5; i++) ring.add(1764000000000.25 + i * 30000, [21.5 + i / 100, -67, 98765]);
  ring.assignBatch(1, APP_BATCH_READINGS);
  const frame = encodeBatch(ring, 1, 0.5, true);
  const longId = 26; // a command id as the hub makes them
  return {
    code: (await buildBundle()).minified,
    ringArrays: [readings * 8, readings * APP_METRICS.length * 8, readings * 4],
    batchFrameBytes: frame.length,
    objects: [
      [11, [40, 24, 48, 5, 5]], // device options: url, id, token, model, fw …
      [5, []], // platform
      [6, [40, 24, 48, 32, 64]], // telehub.json from Storage: url, id, token, ssid, password, interval
      [2, []], // telehub.state
      [3, [4, 4, 4]], // metric names
      [1, [8]], // attrs
      [2, []], // command handlers
      [3, [15, 21, 20]], // retryable refusal codes
      [12, []], // final close codes and statuses
      [32, Array(32).fill(longId)], // the last 32 command ids
      [16, Array(8).fill(longId)], // up to 4 results awaiting cmd_done
      [4, [90, 10]], // WebSocket options: headers, protocol
      [4, [24, 10]], // hub address
      [5, []], // WebSocket events
      [8, [64]], // the socket, its listeners, a partly received frame
      [12, []], // 4 timers (flush, watchdog or reconnect, sampler, close wait)
      [2, [8]], // the CBOR scratch DataView
    ],
  };
}

/** The estimate with the ring full, code stored as `npm run flash` leaves it (flash) or copied to RAM. */
export async function clientEstimate(storage: CodeStorage, readings = BUDGET_READINGS): Promise<{ lines: EstimateLine[]; total: number }> {
  return estimateVariables(await clientShape(readings), storage);
}

/** The calibration table and both estimates, as text. */
export async function memoryReport(): Promise<string> {
  const factors = calibrationFactors();
  let out = "Calibration (measured on the interpreter vs Espruino's storage rules):\n";
  for (const c of CALIBRATION) {
    const calibrated = Math.ceil(c.modelled * factors[c.kind]);
    const error = (n: number) => `${n >= c.measured ? "+" : ""}${(((n - c.measured) / c.measured) * 100).toFixed(1)}%`;
    out += `  ${c.name}: measured ${c.measured}, rules ${c.modelled} (${error(c.modelled)}), calibrated ${calibrated} (${error(calibrated)})\n`;
  }
  out += `Factors: ${Object.entries(factors)
    .map(([k, v]) => `${k} ×${v.toFixed(3)}`)
    .join(", ")}\n`;
  for (const storage of ["flash", "ram"] as const) {
    const { lines, total } = await clientEstimate(storage);
    out += `\nClient with ${BUDGET_READINGS} readings, code ${storage === "flash" ? "run from flash (npm run flash)" : "copied to RAM"}:\n`;
    for (const l of lines) out += `  ${String(l.vars).padStart(5)}  ${l.what}\n`;
    out += `  ${String(total).padStart(5)}  total (estimate), ${total + BASELINE_VARS} with the empty interpreter's ${BASELINE_VARS}\n`;
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  memoryReport().then((text) => console.log(text));
}
