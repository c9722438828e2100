#!/usr/bin/env node
/**
 * `npm run bench`: every scenario, each figure beside a baseline measured in the same run.
 * `--quick` runs a tiny configuration (seconds) so CI keeps the harness from rotting;
 * `--json` prints the measurements instead of the table; `--only live,influx` runs some.
 */
import { cpus, totalmem } from "node:os";
import { fmt } from "../output/format.js";
import { CLUSTER_BENCH_ENV } from "./cluster-settings.js";
import { ensureOpenFileLimit, openFileLimit } from "./open-files.js";
import { progress } from "./progress.js";
import { SCENARIOS } from "./scenarios.js";
import { benchSettings } from "./settings.js";
import { type Row, renderTable } from "./table.js";

const args = process.argv.slice(2);
const KNOWN_FLAGS = new Set(["--quick", "--json", "--only", "--help", "-h"]);
const stray = args.find((arg, i) => !KNOWN_FLAGS.has(arg) && args[i - 1] !== "--only");
if (args.includes("--help") || args.includes("-h") || stray !== undefined) {
  const usage = [
    "Usage: npm run bench [-- --quick] [-- --json] [-- --only <scenario,…>]",
    "",
    "Runs every benchmark scenario (about 11 minutes) and prints each figure beside a baseline measured in the same run.",
    "  --quick   a tiny configuration (seconds), to check the harness, not to measure",
    "  --json    the measurements as JSON instead of the table",
    `  --only    a comma-separated list of: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    "",
    "The cluster scenario (PostgreSQL, nats-server, HAProxy and influxd installed; else it says so and is skipped):",
    `  ${CLUSTER_BENCH_ENV.hubs}=N     hubs behind HAProxy (default 3)`,
    `  ${CLUSTER_BENCH_ENV.devices}=N  devices on the cluster and on the single hub beside it (default 100)`,
    "",
    "What each figure means and the results so far: docs/benchmarks.md",
  ].join("\n");
  if (stray !== undefined) {
    process.stderr.write(`bench: unknown argument ${JSON.stringify(stray)}\n\n${usage}\n`);
    process.exit(2);
  }
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const quick = args.includes("--quick");
const json = args.includes("--json");
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? "").split(",").filter(Boolean) : SCENARIOS.map((s) => s.name);
const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0 || only.length === 0) {
  process.stderr.write(`--only takes a comma-separated list of: ${SCENARIOS.map((s) => s.name).join(", ")}\n`);
  process.exit(2);
}
const settings = benchSettings(quick);

async function main(): Promise<void> {
  if (only.includes("connections")) ensureOpenFileLimit(settings.idleDevices + 1_000);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
  const measured: Record<string, unknown> = {};
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    if (!only.includes(scenario.name)) continue;
    const result = await scenario.run(settings);
    Object.assign(measured, result.json);
    rows.push(...result.rows);
  }
  progress("done");
  if (json) {
    process.stdout.write(`${JSON.stringify({ machine, quick, settings, openFiles: openFileLimit(), ...measured }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nTelehub benchmarks${quick ? " (quick)" : ""} on ${machine}\n\n${renderTable(rows)}\n`);
}

await main();
