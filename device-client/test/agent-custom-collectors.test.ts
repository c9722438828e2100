import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CollectRound, loadPlugin, parseCollectorOutput, pluginCollector, runProcess, shellCollector } from "../src/agent/index.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-custom-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("custom shell collectors", () => {
  test("key=value lines: numbers, booleans and strings, comments and blank lines skipped, named <name>.<key>", async () => {
    const m = await shellCollector(
      "ups",
      "printf '# from upsc\\nbattery_pct=87.5\\n\\non_mains = true\\nstatus=\"OL CHRG\"\\nmodel=Eaton 5E\\n'",
      2_000,
    ).collect();
    assert.deepEqual(m, { "ups.battery_pct": 87.5, "ups.on_mains": true, "ups.status": "OL CHRG", "ups.model": "Eaton 5E" });
  });

  test("a JSON object of numbers, booleans and strings", async () => {
    const m = await shellCollector(
      "soil",
      ["node", "-e", 'console.log(JSON.stringify({ moisture: 0.42, pump_on: false, zone: "b" }))'],
      5_000,
    ).collect();
    assert.deepEqual(m, { "soil.moisture": 0.42, "soil.pump_on": false, "soil.zone": "b" });
  });

  test("a command that outlives its timeout is killed, with the shell's children, and the round fails for it", async () => {
    const started = Date.now();
    await assert.rejects(shellCollector("slow", "sleep 5; echo x=1", 200).collect(), /timed out after 200 ms/);
    assert.ok(Date.now() - started < 2_000, "did not wait for sleep");
  });

  test("a non-zero exit fails with its code and the first stderr line", async () => {
    await assert.rejects(shellCollector("bad", "echo 'no sensor' >&2; exit 4", 2_000).collect(), /exited with 4: no sensor/);
  });

  test("output that is neither format is refused with the line", () => {
    assert.throws(() => parseCollectorOutput("temperature 21"), /line 1 is not key=value: "temperature 21"/);
    assert.throws(() => parseCollectorOutput('{"nested": {"a": 1}}'), /metric nested: must be a finite number/);
    assert.throws(() => parseCollectorOutput("{broken"), /does not parse/);
    assert.throws(() => parseCollectorOutput("bad name=1"), /bad metric name "bad name"/);
  });
});

describe("plugin collectors", () => {
  test("a module exporting collect(): its metrics, named <name>.<key>", async () => {
    const file = join(dir, "soil.mjs");
    writeFileSync(file, "let n = 0;\nexport async function collect() { n++; return { reads: n, wet: true, label: 'x' }; }\n");
    const collector = pluginCollector("soil", await loadPlugin(file), 1_000);
    assert.deepEqual(await collector.collect(), { "soil.reads": 1, "soil.wet": true, "soil.label": "x" });
    assert.equal((await collector.collect())["soil.reads"], 2, "the module is loaded once and keeps its state");
  });

  test("a default export with collect() works too; a module without one is refused when loaded", async () => {
    const good = join(dir, "default.mjs");
    writeFileSync(good, "export default { collect: async () => ({ v: 1 }) };\n");
    assert.deepEqual(await pluginCollector("d", await loadPlugin(good), 1_000).collect(), { "d.v": 1 });
    const bad = join(dir, "none.mjs");
    writeFileSync(bad, "export const x = 1;\n");
    await assert.rejects(loadPlugin(bad), /exports no collect\(\) function/);
  });

  test("a plugin slower than its timeout fails the round", async () => {
    const plugin = { collect: () => new Promise<Record<string, number>>((r) => setTimeout(() => r({ v: 1 }), 1_000)) };
    await assert.rejects(pluginCollector("slow", plugin, 50).collect(), /longer than 50 ms/);
  });
});

describe("a collection round", () => {
  test("merges what collectors answer; a failing one is left out and logged once until it recovers", async () => {
    const lines: string[] = [];
    const log = {
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(m),
    };
    let broken = true;
    const round = new CollectRound(
      [
        { name: "ok", collect: async () => ({ a: 1 }) },
        {
          name: "flaky",
          collect: async () => {
            if (broken) throw new Error("sensor gone");
            return { b: 2 };
          },
        },
      ],
      log,
    );
    assert.deepEqual(await round.collect(), { a: 1 });
    assert.deepEqual(await round.collect(), { a: 1 });
    broken = false;
    assert.deepEqual(await round.collect(), { a: 1, b: 2 });
    assert.deepEqual(lines, ["warn flaky: sensor gone", "info flaky: collecting again"]);
  });
});

describe("running a process", () => {
  test("stdout and stderr are capped separately and the cut is reported", async () => {
    const outcome = await runProcess(["node", "-e", "process.stdout.write('x'.repeat(5000)); process.stderr.write('e')"], {
      timeoutMs: 5_000,
      maxOutputBytes: 100,
    });
    assert.equal(outcome.stdout, "x".repeat(100));
    assert.equal(outcome.stderr, "e");
    assert.equal(outcome.truncated, true);
    assert.equal(outcome.exitCode, 0);
  });

  test("a program that does not exist rejects", async () => {
    await assert.rejects(runProcess(["/no/such/program"], { timeoutMs: 1_000, maxOutputBytes: 10 }), /ENOENT/);
  });
});
