import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { AgentConfigError, loadAgentConfig, parseAgentConfig } from "../src/agent/index.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-agent-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const FILE = "/etc/telehub/agent.json";
const MINIMAL = { hub: "ws://hub.local:8080", deviceId: "pi-1", token: "secret" };

function rejects(json: unknown, key: string, problem: RegExp, file = FILE): void {
  assert.throws(
    () => parseAgentConfig(json, file),
    (error: unknown) => {
      assert.ok(error instanceof AgentConfigError, String(error));
      assert.equal(error.file, file);
      assert.equal(error.key, key);
      assert.ok(error.message.startsWith(`${file}: key "${key}": `), error.message);
      assert.match(error.message, problem);
      return true;
    },
  );
}

describe("the agent's configuration file", () => {
  test("a minimal file gets every default", () => {
    const config = parseAgentConfig(MINIMAL, FILE);
    assert.equal(config.intervalS, 60);
    assert.equal(config.stateDir, "/var/lib/telehub-agent");
    assert.deepEqual(config.buffer, { maxReadings: 100_000 });
    assert.deepEqual(config.collectors, { thermal: true, load: true, memory: true, disk: true, network: true, uptime: true });
    assert.deepEqual(config.disk.mounts, ["/"]);
    assert.deepEqual(config.network, { include: [], exclude: ["lo"] });
    assert.deepEqual([config.custom, config.scripts, config.allowReboot], [[], {}, false]);
    assert.deepEqual(config.rebootCommand, ["systemctl", "reboot"]);
    assert.equal(config.caFile, undefined);
    assert.equal(config.tokenSource, "token");
  });

  test("relative paths are taken from the file's folder; a token file is read and trimmed", () => {
    writeFileSync(join(dir, "token"), "tok-123\n");
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    writeFileSync(
      join(dir, "agent.json"),
      JSON.stringify({
        hub: "wss://hub.example:8443",
        deviceId: "pi-2",
        tokenFile: "token",
        caFile: "ca.pem",
        stateDir: "state",
        custom: [{ name: "soil", module: "plugins/soil.mjs" }],
        scripts: { restart: "systemctl restart app", df: { command: ["df", "-h"], timeoutMs: 5000 } },
      }),
    );
    const config = loadAgentConfig(join(dir, "agent.json"));
    assert.equal(config.token, "tok-123");
    assert.equal(config.tokenSource, join(dir, "token"));
    assert.equal(config.caFile, join(dir, "ca.pem"));
    assert.equal(config.stateDir, join(dir, "state"));
    assert.deepEqual(config.custom, [{ name: "soil", module: join(dir, "plugins/soil.mjs"), timeoutMs: 10_000 }]);
    assert.deepEqual(config.scripts, {
      restart: { command: "systemctl restart app", timeoutMs: 25_000 },
      df: { command: ["df", "-h"], timeoutMs: 5000 },
    });
  });

  test("errors name the file and the key", () => {
    rejects({ deviceId: "a", token: "t" }, "hub", /is required/);
    rejects({ ...MINIMAL, hub: "hub.local:8080" }, "hub", /ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL/);
    rejects({ ...MINIMAL, token: undefined }, "token", /is required \(or "tokenFile"\)/);
    rejects({ ...MINIMAL, tokenFile: "/x" }, "tokenFile", /either "token" or "tokenFile"/);
    rejects({ ...MINIMAL, intervalS: "60" }, "intervalS", /a number from 0.01 to 86400, got "60"/);
    rejects({ ...MINIMAL, intervalS: 0 }, "intervalS", /got 0/);
    rejects({ ...MINIMAL, intervall: 5 }, "intervall", /unknown key/);
    rejects({ ...MINIMAL, buffer: { maxReadings: 1.5 } }, "buffer.maxReadings", /an integer/);
    rejects({ ...MINIMAL, collectors: { gpu: true } }, "collectors.gpu", /unknown key/);
    rejects({ ...MINIMAL, collectors: { thermal: "yes" } }, "collectors.thermal", /true or false/);
    rejects({ ...MINIMAL, disk: { mounts: "/" } }, "disk.mounts", /array of non-empty strings/);
    rejects({ ...MINIMAL, allowReboot: "true" }, "allowReboot", /true or false/);
    rejects({ ...MINIMAL, rebootCommand: [] }, "rebootCommand", /must name a program/);
    rejects(
      { ...MINIMAL, custom: [{ name: "x", command: "a", module: "b" }] },
      "custom[0].command",
      /exactly one of "command" and "module"/,
    );
    rejects({ ...MINIMAL, custom: [{ name: "x" }] }, "custom[0].command", /exactly one/);
    rejects({ ...MINIMAL, custom: [{ command: "a" }] }, "custom[0].name", /is required/);
    rejects({ ...MINIMAL, custom: [{ name: "a b", command: "a" }] }, "custom[0].name", /use A-Z/);
    rejects(
      {
        ...MINIMAL,
        custom: [
          { name: "a", command: "x" },
          { name: "a", command: "y" },
        ],
      },
      "custom[1].name",
      /used twice/,
    );
    rejects({ ...MINIMAL, scripts: { up: 5 } }, "scripts.up", /a command or \{ command, timeoutMs \}/);
    rejects({ ...MINIMAL, scripts: { up: { command: "x", timeout: 5 } } }, "scripts.up.timeout", /unknown key/);
  });

  test("a file that cannot be read or parsed, or a token file that is missing, is named", () => {
    assert.throws(() => loadAgentConfig(join(dir, "missing.json")), /missing\.json: cannot be read: ENOENT/);
    writeFileSync(join(dir, "broken.json"), "{ hub: ");
    assert.throws(() => loadAgentConfig(join(dir, "broken.json")), /broken\.json: is not valid JSON/);
    writeFileSync(join(dir, "array.json"), "[]");
    assert.throws(() => loadAgentConfig(join(dir, "array.json")), /array\.json: must be a JSON object, got \[\]/);
    rejects({ hub: "ws://h", deviceId: "d", tokenFile: join(dir, "nope") }, "tokenFile", /cannot be read: ENOENT/);
    rejects({ ...MINIMAL, caFile: join(dir, "no-ca.pem") }, "caFile", /cannot be read: ENOENT/);
  });

  test("collect-only (for --once) does not need the hub keys", () => {
    const config = parseAgentConfig({ intervalS: 5 }, FILE, { collectOnly: true });
    assert.deepEqual([config.hub, config.deviceId, config.token], ["", "", ""]);
  });
});
