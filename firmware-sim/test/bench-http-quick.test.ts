import assert from "node:assert/strict";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { numbers } from "./support/json-numbers.js";
import { runScript } from "./support/run-cli.js";

const BENCH = fileURLToPath(new URL("../src/bench/main.js", import.meta.url));

/** The parts of the HTTP scenario's report the test reads. */
interface Side {
  storedReadings: number;
  roundReadingsPerSecond: number[];
}
interface CommandSide {
  commands: number;
  succeeded: number;
  requestErrors: number;
  delivery: { p99Ms: number };
}
interface HttpReport {
  ingest: { readings: number; rounds: number; http: Side; ws: Side; bareHttp: Side };
  commands: { rounds: number; http: CommandSide; ws: CommandSide };
}

it("npm run bench -- --quick --only http measures ingest and commands over both transports (no speed asserted)", {
  timeout: 118_000,
}, async () => {
  const { code, stdout, stderr } = await runScript(BENCH, ["--quick", "--json", "--only", "http"], { timeoutMs: 115_000 });
  assert.equal(code, 0, stderr);
  const { ingest, commands } = (JSON.parse(stdout) as { http: HttpReport }).http;
  assert.deepEqual(
    numbers({ ingest, commands }, "http").filter(([, n]) => !Number.isFinite(n)),
    [],
    "no figure is NaN",
  );
  for (const [name, side] of [
    ["the HTTP client", ingest.http],
    ["the WebSocket client", ingest.ws],
    ["bare HTTP", ingest.bareHttp],
  ] as const) {
    assert.equal(side.roundReadingsPerSecond.length, ingest.rounds, `${name}: every ingest round ran`);
    assert.equal(side.storedReadings, ingest.readings, `${name}: every reading sent was stored, once`);
  }
  for (const [name, side] of [
    ["HTTP", commands.http],
    ["WebSocket", commands.ws],
  ] as const) {
    assert.ok(side.commands > 0, `${name}: commands were counted`);
    assert.equal(side.succeeded, side.commands, `${name}: every command succeeded`);
  }
  assert.equal(commands.http.requestErrors, 0, "no HTTP device's request was refused or failed");
});
