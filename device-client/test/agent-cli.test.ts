import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

/** The committed launcher, as npm links it (`device-client/bin/telehub-agent.js`). */
const BIN = fileURLToPath(new URL("../../bin/telehub-agent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "telehub-agent-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function agent(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function configFile(name: string, json: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

describe("the telehub-agent command", () => {
  test("--help says what it does, every option, the default config file and where the docs are", () => {
    const { status, stdout } = agent("--help");
    assert.equal(status, 0);
    for (const text of [
      "Usage: telehub-agent",
      "--config FILE",
      "/etc/telehub/agent.json",
      "--once",
      "--print-config",
      "allowReboot",
      "docs/raspberry-pi.md",
    ]) {
      assert.ok(stdout.includes(text), `help mentions ${text}`);
    }
  });

  test("--once collects one round and prints it as JSON, custom collectors and a fake thermal folder (test double) included", () => {
    const thermal = join(dir, "thermal");
    mkdirSync(join(thermal, "thermal_zone0"), { recursive: true });
    writeFileSync(join(thermal, "thermal_zone0", "temp"), "51234\n");
    writeFileSync(join(thermal, "thermal_zone0", "type"), "cpu-thermal\n");
    const file = configFile("once.json", { thermal: { dir: thermal }, custom: [{ name: "door", command: "echo open=false" }] });
    const { status, stdout, stderr } = agent("--once", "--config", file);
    assert.equal(status, 0, stderr);
    const metrics = JSON.parse(stdout) as Record<string, number | boolean>;
    assert.equal(metrics["cpu.temp_c"], 51.234);
    assert.equal(metrics["door.open"], false);
    assert.ok((metrics["mem.total_bytes"] as number) > 0);
    assert.ok((metrics.uptime_s as number) > 0);
    assert.ok(Object.keys(metrics).some((k) => k.startsWith("net.")));
  });

  test("--print-config fills in defaults and never prints the token", () => {
    const file = configFile("print.json", { hub: "ws://hub:8080", deviceId: "pi-9", token: "very-secret-token" });
    const { status, stdout } = agent("-c", file, "--print-config");
    assert.equal(status, 0);
    assert.ok(!stdout.includes("very-secret-token"));
    const printed = JSON.parse(stdout);
    assert.equal(printed.token, "(set in the file, hidden)");
    assert.equal(printed.intervalS, 60);
    assert.deepEqual(printed.rebootCommand, ["systemctl", "reboot"]);
  });

  test("a bad configuration exits 2 naming the file and the key; a bad flag exits 2", () => {
    const file = configFile("bad.json", { hub: "ws://hub:8080", deviceId: "pi-9", token: "t", intervalS: -1 });
    const bad = agent("--config", file);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.json: key "intervalS": must be a number from 0\.01 to 86400, got -1/);
    const missing = agent("--config", join(dir, "nope.json"));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.json: cannot be read/);
    const flag = agent("--intervall", "5");
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /Unknown option '--intervall'[\s\S]*--help/);
  });

  test("--version prints the package version", () => {
    const { status, stdout } = agent("--version");
    assert.equal(status, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
