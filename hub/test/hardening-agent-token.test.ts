import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../device-client/bin/telehub-agent.js", import.meta.url));
const TOKEN = "agent-token-secret-value";

/** `telehub-agent --print-config` with `config` (a JSON object) and, if given, a token file of `tokenMode`; answers stderr. */
function printConfig(dir: string, config: Record<string, unknown>, modes: { config: number; token?: number }): string {
  const file = join(dir, "agent.json");
  writeFileSync(file, JSON.stringify({ hub: "ws://127.0.0.1:1", deviceId: "pi-1", ...config }));
  chmodSync(file, modes.config);
  if (modes.token !== undefined) {
    writeFileSync(join(dir, "token"), `${TOKEN}\n`);
    chmodSync(join(dir, "token"), modes.token);
  }
  const result = spawnSync(process.execPath, [BIN, "--config", file, "--print-config"], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN), "the token itself is never printed");
  return result.stderr;
}

describe("the Pi agent warns at start when other local users can read its token", () => {
  const scratch = mkdtempSync(join(tmpdir(), "telehub-agent-token-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  let n = 0;
  const dir = (): string => mkdtempSync(join(scratch, `${n++}-`));

  test("a token file readable by everyone (0644): a warning names it, its mode and the chmod", () => {
    const at = dir();
    const stderr = printConfig(at, { tokenFile: "token" }, { config: 0o644, token: 0o644 });
    const path = join(at, "token");
    assert.ok(stderr.includes(`warn ${path} holds the device token and has mode 0644`), stderr);
    assert.ok(stderr.includes(`run: chmod o-rwx '${path}'`), stderr);
  });

  test("the documented token file (0640, the service's group) and a private one (0600) raise nothing", () => {
    for (const mode of [0o640, 0o600]) {
      const stderr = printConfig(dir(), { tokenFile: "token" }, { config: 0o644, token: mode });
      assert.equal(stderr, "", `mode ${mode.toString(8)}: ${stderr}`);
    }
  });

  test("an inline token: the configuration file is the one that must be closed", () => {
    const at = dir();
    const stderr = printConfig(at, { token: TOKEN }, { config: 0o604 });
    assert.ok(stderr.includes(`warn ${join(at, "agent.json")} holds the device token and has mode 0604`), stderr);
    assert.equal(printConfig(dir(), { token: TOKEN }, { config: 0o600 }), "");
  });
});
