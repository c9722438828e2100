import assert from "node:assert/strict";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { benchSettings } from "../src/bench/settings.js";
import { numbers } from "./support/json-numbers.js";
import { runScript } from "./support/run-cli.js";

const BENCH = fileURLToPath(new URL("../src/bench/main.js", import.meta.url));

/** The parts of the alarm scenario's report the test reads. */
interface AlarmsReport {
  ingest: {
    slices: number;
    withRules: { evaluation: { batches: number; probeMs: number }; sliceReadingsPerSecond: number[]; readingsPerSecond: number };
    withoutRules: { sliceReadingsPerSecond: number[]; readingsPerSecond: number };
    sliceRatios: number[];
    ratio: number;
  };
  latency: { alarm: { received: number }; telemetry: { received: number } };
  storm: { devices: number; singleMessages: number; digests: number; digestAlarms: number; rateLimit: { count: number } };
}

it("npm run bench -- --quick --only alarms measures all three parts (no speed asserted)", { timeout: 118_000 }, async () => {
  const { code, stdout, stderr } = await runScript(BENCH, ["--quick", "--json", "--only", "alarms"], { timeoutMs: 115_000 });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as { alarms: AlarmsReport };
  const { ingest, latency, storm } = report.alarms;
  assert.deepEqual(
    numbers(report.alarms, "alarms").filter(([, n]) => !Number.isFinite(n)),
    [],
    "no figure is NaN",
  );
  assert.equal(ingest.withRules.sliceReadingsPerSecond.length, ingest.slices, "every counted slice of the side with rules");
  assert.equal(ingest.withoutRules.sliceReadingsPerSecond.length, ingest.slices, "as many without");
  assert.deepEqual(
    ingest.sliceRatios,
    ingest.withRules.sliceReadingsPerSecond.map((rate, i) => rate / (ingest.withoutRules.sliceReadingsPerSecond[i] as number)),
    "each slice pair's ratio",
  );
  assert.equal(ingest.ratio, ingest.withRules.readingsPerSecond / ingest.withoutRules.readingsPerSecond, "the sides' throughputs compared");
  assert.ok(ingest.withRules.evaluation.probeMs >= 0, "the side with rules waited for every device's probe alarm");
  const { ingestDevices: devices, alarms } = benchSettings(true);
  assert.equal(
    ingest.withRules.evaluation.batches,
    devices * alarms.ingestSliceBatches * (alarms.ingestSlices + 1) + devices,
    "the hub evaluated every batch of every slice (the warm-up's too) and the probe readings",
  );
  assert.ok(latency.alarm.received > 0, "the live client timed alarms");
  assert.ok(latency.telemetry.received > 0, "the live client timed the crossing readings' telemetry items");
  assert.equal(storm.singleMessages, storm.rateLimit.count, "the storm's first alarms went one by one, up to the rate limit");
  assert.equal(storm.digests, 1, "then one digest");
  assert.equal(storm.digestAlarms, storm.devices - storm.rateLimit.count, "naming every other alarm");
});
