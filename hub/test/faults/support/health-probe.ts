import { Worker } from "node:worker_threads";

/** What a health probe saw. */
export interface HealthProbeReport {
  requests: number;
  /** Answers other than 200, and requests that failed or timed out. */
  failures: number;
  maxLatencyMs: number;
  meanLatencyMs: number;
  /** How late the probe's own timer fired at worst: the machine's share of a slow answer. */
  maxProbeLagMs: number;
}

/** A running probe. */
export interface HealthProbe {
  /** What it saw since the start or the last `take()`; it keeps probing. */
  take(): Promise<HealthProbeReport>;
  /** End it; answers what it saw since the last `take()`. */
  stop(): Promise<HealthProbeReport>;
}

// Plain JavaScript run in a worker thread: its own event loop, so the test's load on the main
// thread delays its requests as little as possible.
const PROBE_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
let running = true;
const fresh = () => ({ requests: 0, failures: 0, maxLatencyMs: 0, totalMs: 0, maxProbeLagMs: 0 });
let report = fresh();
parentPort.on("message", (message) => {
  if (message === "stop") running = false;
  else {
    parentPort.postMessage(report);
    report = fresh();
  }
});
(async () => {
  while (running) {
    const started = performance.now();
    try {
      const response = await fetch(workerData.url, { signal: AbortSignal.timeout(10000) });
      await response.arrayBuffer();
      if (response.status !== 200) report.failures++;
    } catch {
      report.failures++;
    }
    const latency = performance.now() - started;
    report.requests++;
    report.totalMs += latency;
    if (latency > report.maxLatencyMs) report.maxLatencyMs = latency;
    const sleepStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, workerData.everyMs));
    const lag = performance.now() - sleepStarted - workerData.everyMs;
    if (lag > report.maxProbeLagMs) report.maxProbeLagMs = lag;
  }
  parentPort.postMessage(report);
})();
`;

type RawReport = { requests: number; failures: number; maxLatencyMs: number; totalMs: number; maxProbeLagMs: number };

const toReport = (raw: RawReport): HealthProbeReport => ({
  requests: raw.requests,
  failures: raw.failures,
  maxLatencyMs: Math.round(raw.maxLatencyMs),
  meanLatencyMs: raw.requests === 0 ? 0 : Math.round(raw.totalMs / raw.requests),
  maxProbeLagMs: Math.round(raw.maxProbeLagMs),
});

/** Ask `GET <url>` every `everyMs` (one request at a time) from a worker thread until stopped. */
export function startHealthProbe(url: string, everyMs = 50): HealthProbe {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url, everyMs } });
  let stopped: Promise<HealthProbeReport> | undefined;
  const next = (message: "take" | "stop"): Promise<HealthProbeReport> =>
    new Promise((resolve, reject) => {
      worker.once("message", (raw: RawReport) => resolve(toReport(raw)));
      worker.once("error", reject);
      worker.postMessage(message);
    });
  return {
    take: () => next("take"),
    stop() {
      stopped ??= next("stop").finally(() => worker.terminate());
      return stopped;
    },
  };
}
