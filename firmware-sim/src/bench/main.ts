#!/usr/bin/env node
/**
 * `npm run bench`: every scenario, each figure beside a baseline measured in the same run.
 * `--quick` runs a tiny configuration (seconds) so CI keeps the harness from rotting.
 */
import { cpus, totalmem } from "node:os";
import { runIngest } from "./ingest-scenario.js";
import { runAckLatency } from "./latency-scenario.js";
import { measureTransport } from "./transport-baseline.js";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const settings = quick
  ? { ingestDevices: 10, batchesPerDevice: 10, readingsPerBatch: 50, latencyDevices: 20, latencySeconds: 2 }
  : { ingestDevices: 100, batchesPerDevice: 200, readingsPerBatch: 50, latencyDevices: 1_000, latencySeconds: 15 };

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";
const mib = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MiB`;

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
  const { ingestDevices, batchesPerDevice, readingsPerBatch, latencyDevices, latencySeconds } = settings;

  progress(
    `transport baseline: ${ingestDevices} sockets × ${batchesPerDevice} frames of ${readingsPerBatch} readings to a counting ws server`,
  );
  const transport = await measureTransport(ingestDevices, batchesPerDevice, readingsPerBatch);
  progress(`ingest: ${ingestDevices} clients × ${batchesPerDevice} batches of ${readingsPerBatch} readings into the embedded store`);
  const ingest = await runIngest(ingestDevices, batchesPerDevice, readingsPerBatch);
  progress(`ack latency: ${latencyDevices} clients × 1 batch/s for ${latencySeconds} s`);
  const latency = await runAckLatency(latencyDevices, latencySeconds, 10);

  const rows: [string, string, string, string][] = [
    [
      "ingest: durable readings/s",
      fmt(ingest.readingsPerSecond),
      `${fmt(transport.readingsPerSecond)} (bare ws, counted only)`,
      fmt(ingest.readingsPerSecond / transport.readingsPerSecond, 3),
    ],
    [
      "ingest: frames/s",
      fmt(ingest.framesPerSecond),
      fmt(transport.framesPerSecond),
      fmt(ingest.framesPerSecond / transport.framesPerSecond, 3),
    ],
    ["ingest: ack latency p50 / p99", `${fmt(ingest.ackP50Ms, 1)} / ${fmt(ingest.ackP99Ms, 1)} ms`, "", ""],
    [
      "ingest: hub CPU / peak RSS",
      `${fmt(ingest.hubCpuPercent)} % / ${mib(ingest.hubPeakRssBytes)}`,
      `${fmt(transport.serverCpuPercent)} % / ${mib(transport.serverPeakRssBytes)}`,
      "",
    ],
    ["ingest: readings stored / sent", `${fmt(ingest.storedReadings)} / ${fmt(ingest.readings)}`, "", ""],
    [
      `steady ${latencyDevices} devices × 1 batch/s: ack p50 / p99`,
      `${fmt(latency.ackP50Ms, 1)} / ${fmt(latency.ackP99Ms, 1)} ms`,
      "target p99 < 50 ms",
      fmt(latency.ackP99Ms / 50, 3),
    ],
    ["steady: hub CPU / peak RSS", `${fmt(latency.hubCpuPercent)} % / ${mib(latency.hubPeakRssBytes)}`, "", ""],
    ["ingest into InfluxDB", "not built yet (InfluxDB issue)", "", ""],
    ["command round trip", "not built yet (commands issue)", "", ""],
    ["live latency vs Mosquitto", "not built yet (dashboard issue)", "", ""],
  ];
  if (json) {
    process.stdout.write(`${JSON.stringify({ machine, settings, transport, ingest, latency }, null, 2)}\n`);
    return;
  }
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(...[["scenario", "hub", "baseline (same run)", "ratio"], ...rows].map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  process.stdout.write(`\nTelehub benchmarks${quick ? " (quick)" : ""} on ${machine}\n\n`);
  process.stdout.write(`${line(["scenario", "hub", "baseline (same run)", "ratio"])}\n`);
  process.stdout.write(`${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

await main();
