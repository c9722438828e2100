import assert from "node:assert/strict";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { numbers } from "./support/json-numbers.js";
import { runScript } from "./support/run-cli.js";

const BENCH = fileURLToPath(new URL("../src/bench/main.js", import.meta.url));

/** The parts of the cluster scenario's report the test reads. */
interface Side {
  hubs: number;
  roundReadingsPerSecond: number[];
  sentReadings: number;
  storedReadings: number;
  commands: { commands: number; succeeded: number };
}
interface ClusterReport {
  hubs: number;
  devices: number;
  batchesPerDevice: number;
  readingsPerBatch: number;
  ingestRounds: number;
  single: Side;
  cluster: Side;
}

it("npm run bench -- --quick --only cluster runs a single hub and a cluster of TELEHUB_BENCH_CLUSTER_HUBS hubs with TELEHUB_BENCH_CLUSTER_DEVICES devices each (no speed asserted)", {
  timeout: 178_000,
}, async () => {
  const { code, stdout, stderr } = await runScript(BENCH, ["--quick", "--json", "--only", "cluster"], {
    timeoutMs: 175_000,
    // Two hubs, not the default three: the test proves the parameters reach the scenario, and a hub fewer to start.
    env: { TELEHUB_BENCH_CLUSTER_HUBS: "2", TELEHUB_BENCH_CLUSTER_DEVICES: "4" },
  });
  assert.equal(code, 0, stderr);
  const report = (JSON.parse(stdout) as { cluster: ClusterReport | null }).cluster;
  if (report === null) {
    const message =
      "an engine of the cluster is not installed: the cluster scenario did not run (postgresql, nats-server, haproxy, influxdb)";
    if (process.env.CI === "true") assert.fail(message);
    process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
    return;
  }
  assert.deepEqual(
    numbers(report, "cluster").filter(([, n]) => !Number.isFinite(n)),
    [],
    "no figure is NaN",
  );
  assert.equal(report.devices, 4);
  assert.equal(report.hubs, 2);
  assert.equal(report.cluster.hubs, 2, "the cluster ran as many hubs as asked");
  assert.equal(report.single.hubs, 1);
  const readings = report.ingestRounds * report.devices * report.batchesPerDevice * report.readingsPerBatch;
  for (const [name, side] of [
    ["single hub", report.single],
    ["cluster", report.cluster],
  ] as const) {
    assert.equal(side.roundReadingsPerSecond.length, report.ingestRounds, `${name}: every ingest round ran`);
    assert.equal(side.sentReadings, readings, `${name}: every reading of every round was acknowledged`);
    assert.equal(side.storedReadings, readings, `${name}: InfluxDB holds every reading acknowledged, once`);
    assert.ok(side.commands.commands > 0, `${name}: commands were counted`);
    assert.equal(side.commands.succeeded, side.commands.commands, `${name}: every command succeeded`);
  }
});

it("npm run bench refuses a cluster size that is not a whole number ≥ 1, naming the variable, before starting anything", async () => {
  const { code, stderr } = await runScript(BENCH, ["--quick", "--only", "cluster"], {
    timeoutMs: 20_000,
    env: { TELEHUB_BENCH_CLUSTER_HUBS: "0" },
  });
  assert.notEqual(code, 0);
  assert.match(stderr, /TELEHUB_BENCH_CLUSTER_HUBS must be a whole number ≥ 1, not "0"/);
  assert.doesNotMatch(stderr, /starting the single hub/);
});

it("npm run bench -- --only cluster without one of the engines says which is missing and skips the scenario", async () => {
  const { code, stdout, stderr } = await runScript(BENCH, ["--quick", "--only", "cluster"], {
    timeoutMs: 20_000,
    env: { TELEHUB_HAPROXY: "/nonexistent/haproxy" },
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /\| cluster: ingest and commands through HAProxy +\| not run: HAProxy \(haproxy\) not installed/);
  assert.doesNotMatch(stderr, /starting the single hub/);
});
