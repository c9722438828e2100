import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_BATCH_READINGS, APP_METRICS } from "../../src/espruino/app-settings.js";
import { encodeBatch } from "../../src/espruino/batch-encoder.js";
import { cborEncode } from "../../src/espruino/cbor.js";
import { ReadingRing } from "../../src/espruino/reading-ring.js";
import { eachWakeItem } from "../../src/espruino/wake-store.js";
import { buildBundle, SLEEP_ENTRY } from "./bundle.js";
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

/**
 * The deep-sleep client (`main-sleep.ts`) at its peak: the ring full, the flash file being
 * written (the whole ring encoded), a request of hello + 3 batches and its answer in RAM.
 */
export async function sleepClientShape(readings = BUDGET_READINGS): Promise<ClientShape> {
  const ring = new ReadingRing(APP_METRICS, readings);
  for (let i = 0; i < readings; i++) ring.add(1764000000000.25 + i * 300000, [21.5 + i / 100, -67, 98765]);
  for (let seq = 1; ring.unbatched() > 0; seq++) ring.assignBatch(seq, APP_BATCH_READINGS);
  const longId = 26;
  const outbox = [
    cborEncode({ t: "cmd_ack", id: "x".repeat(longId) }),
    cborEncode({ t: "cmd_result", id: "x".repeat(longId), ok: true, res: "pong" }),
  ];
  let largestItem = 0;
  eachWakeItem({ lastSeq: readings / APP_BATCH_READINGS, ran: Array(8).fill("x".repeat(longId)), outbox }, ring, (item) => {
    largestItem = Math.max(largestItem, item.length);
  });
  const batch = encodeBatch(ring, 1, 0, false);
  const hello = cborEncode({
    t: "hello",
    v: 1,
    fw: "0.1.0",
    model: "esp32",
    time: 1764000000000.25,
    ivl: 360000,
    attrs: { espruino: "2v29" },
    cfg: 1,
  });
  return {
    code: (await buildBundle(SLEEP_ENTRY)).minified,
    ringArrays: [readings * 8, readings * APP_METRICS.length * 8, readings * 4],
    batchFrameBytes: batch.length,
    unmasked: true,
    objects: [
      [16, [40, 24, 48, 5, 5, 12]], // device options: url, id, token, model, fw, file …
      [4, []], // platform
      [2, []], // storage wrapper
      [6, [40, 24, 48, 32, 64]], // telehub.json from Storage
      [2, []], // telehub.state
      [3, [4, 4, 4]], // metric names
      [1, [8]], // attrs
      [2, []], // command handlers
      [3, [15, 21, 20]], // retryable refusal codes
      [3, []], // the wake state: lastSeq, ran, outbox
      [8, Array(8).fill(longId)], // the last 8 command ids run
      [2, outbox.map((f) => f.length)], // frames waiting to be sent
      [32, Array(32).fill(longId)], // the command runner's last 32 ids
      [4, [24, 10]], // hub address
      [5, [60, 20, 4]], // request options and headers
      [6, []], // the request and its listeners
      [8, []], // the response, its headers and listeners
      [4, []], // 2 timers (request timeout, Wi-Fi wait)
      [2, [8]], // the CBOR scratch DataView
    ],
    transient: [
      ["the largest piece of the flash file being written", largestItem],
      ["the request body (hello + 3 batches)", hello.length + 3 * batch.length],
      ["the answer being read", 400],
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
  const sleep = estimateVariables(await sleepClientShape(), "flash");
  out += `\nDeep-sleep client (main-sleep.ts) with ${BUDGET_READINGS} readings, code run from flash:\n`;
  for (const l of sleep.lines) out += `  ${String(l.vars).padStart(5)}  ${l.what}\n`;
  out += `  ${String(sleep.total).padStart(5)}  total (estimate)\n`;
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  memoryReport().then((text) => console.log(text));
}
