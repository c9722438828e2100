import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "./support/run-cli.js";

describe("telehub-sim arguments and help", () => {
  it("--help lists the commands with examples", async () => {
    const { code, stdout } = await runCli(["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /provision/);
    assert.match(stdout, /Examples:/);
  });

  it("run --help documents every fault flag, the exit codes and examples", async () => {
    const { code, stdout } = await runCli(["run", "--help"]);
    assert.equal(code, 0);
    for (const flag of [
      "--disconnect-every",
      "--kill-every",
      "--malformed-every",
      "--burst-every",
      "--clock-skew",
      "--slow-acks",
      "--ramp",
      "--verify",
      "--json",
      "--seed",
    ]) {
      assert.ok(stdout.includes(flag), `help mentions ${flag}`);
    }
    assert.match(stdout, /Exit codes:/);
    assert.match(stdout, /telehub-sim run --devices 10/);
  });

  const bad: [string[], RegExp][] = [
    [["run", "--devices", "abc"], /--devices <n>' argument 'abc' is invalid\. It takes a whole number ≥ 1/],
    [["run", "--devices", "0"], /--devices/],
    [["run", "--rate", "-1"], /--rate <hz>' argument '-1' is invalid\. It takes a number > 0/],
    [["run", "--duration", "60"], /--duration <time>' argument '60' is invalid\. It takes a duration with a unit/],
    [["run", "--duration", "5s", "--readings", "3"], /'--duration <time>' cannot be used with option '--readings <count>'/],
    [["run", "--kill-every", "0s"], /--kill-every/],
    [["run", "--transport", "mqtt"], /--transport <ws\|http\|auto>' argument 'mqtt' is invalid\. Allowed choices are ws, http, auto/],
    [["run", "--transport", "http", "--kill-every", "1s"], /--kill-every: these faults act on the WebSocket's connection/],
    [["run", "--hub", "ftp://x"], /--hub <url>' argument 'ftp:\/\/x' is invalid/],
    [["run", "--frobnicate"], /unknown option '--frobnicate'/],
    [["run", "--creds", "/nonexistent/creds.json"], /--creds: cannot read \/nonexistent\/creds\.json/],
    [["provision", "--count", "3"], /--key: an API key is required/],
    [["provision"], /required option '--count <n>' not specified/],
    [["launch"], /unknown command 'launch'/],
  ];
  for (const [args, message] of bad) {
    it(`${args.join(" ")}: exit 2 with a message naming the flag`, async () => {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    });
  }
});
