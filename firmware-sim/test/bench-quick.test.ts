import assert from "node:assert/strict";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { numbers } from "./support/json-numbers.js";
import { runScript } from "./support/run-cli.js";

const BENCH = fileURLToPath(new URL("../src/bench/main.js", import.meta.url));

/** Every scenario but `alarms`, which bench-alarms-quick.test.ts runs (each file within the runner's time limit). */
const SCENARIOS = "ingest,latency,connections,fanin,live,fanout,commands,influx";

it("npm run bench --quick runs every scenario and each produces numbers (no speed asserted)", { timeout: 100_000 }, async () => {
  const { code, stdout, stderr } = await runScript(BENCH, ["--quick", "--json", "--only", SCENARIOS], { timeoutMs: 95_000 });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as Record<string, unknown>;
  const fanIn = report.fanIn as Record<string, unknown>;
  const live = report.live as Record<string, unknown>;
  const fanOut = report.fanOut as Record<string, unknown>;
  if (report.influx === null) {
    const message = "influxd is not installed: the InfluxDB scenario did not run (apt-get install influxdb)";
    if (process.env.CI === "true") assert.fail(message);
    process.stderr.write(`\n!!! SKIPPED PART: ${message}\n\n`);
  }
  if (fanIn.mosquitto === null) {
    const message = "mosquitto is not installed: the Mosquitto baseline did not run (apt-get install mosquitto)";
    if (process.env.CI === "true") assert.fail(message);
    process.stderr.write(`\n!!! SKIPPED PART: ${message}\n\n`);
  }
  const scenarios = { ...report, ...(report.connections as object), ...fanIn } as Record<string, unknown>;
  for (const name of ["transport", "ingest", "latency", "bare", "hub", ...(fanIn.mosquitto === null ? [] : ["mosquitto"])]) {
    const measured = numbers(scenarios[name]);
    assert.ok(measured.length > 0, `${name} produced figures`);
  }
  const measured = [
    ...numbers(report.ingest, "ingest"),
    ...numbers(report.latency, "latency"),
    ...numbers(report.connections, "connections"),
    ...numbers(fanIn.bare, "fanIn.bare"),
    ...numbers(fanIn.hub, "fanIn.hub"),
    ...(fanIn.mosquitto === null ? [] : numbers(fanIn.mosquitto, "fanIn.mosquitto")),
    ...numbers(live.hub, "live.hub"),
    ...numbers(live.nodeRelay, "live.nodeRelay"),
    ...(live.mosquitto === null ? [] : numbers(live.mosquitto, "live.mosquitto")),
    ...numbers(fanOut.hub, "fanOut.hub"),
    ...(fanOut.mosquitto === null ? [] : numbers(fanOut.mosquitto, "fanOut.mosquitto")),
    ...numbers(report.commands, "commands"),
    ...(report.influx === null ? [] : numbers(report.influx, "influx")),
  ];
  const broken = measured.filter(([, n]) => !Number.isFinite(n));
  assert.deepEqual(broken, [], "no scenario produced NaN");
  assert.ok((report.ingest as { storedReadings: number }).storedReadings > 0);
  assert.ok((fanIn.hub as { frames: number }).frames > 0);
  assert.ok((report.connections as { hub: { connections: number } }).hub.connections > 0);
  assert.ok((live.hub as { received: number }).received > 0, "the live client received readings");
  assert.ok((live.nodeRelay as { received: number }).received > 0, "the Node relay forwarded readings");
  assert.ok((fanOut.hub as { received: number }).received > 0, "the fan-out dashboards received readings");
  assert.ok((report.commands as { succeeded: number }).succeeded > 0, "commands succeeded");
});

it("npm run bench -- --help explains the flags and runs nothing; an unknown argument is refused with the same text", async () => {
  const help = await runScript(BENCH, ["--help"], { timeoutMs: 20_000 });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: npm run bench/);
  assert.match(help.stdout, /--only +a comma-separated list of: ingest, /);
  assert.doesNotMatch(help.stderr, /bench +\d+ s:/, "no scenario started");
  const stray = await runScript(BENCH, ["--quik"], { timeoutMs: 20_000 });
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /unknown argument "--quik"[\s\S]*Usage: npm run bench/);
});
