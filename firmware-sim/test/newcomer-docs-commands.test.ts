import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type DocCommand, hubCommands } from "./support/markdown-commands.js";

const ROOT = new URL("../../../", import.meta.url);
const DEMO = fileURLToPath(new URL("../src/demo.js", import.meta.url));

/**
 * The documents whose hub commands must run as printed, in this order (the README's steps
 * first: they create `greenhouse-1`, which docs/api.md sends a command to). Left out:
 * docs/esp32.md sets `HUB` to the reader's own hub on the LAN (192.168.1.10); docs/deploy.md is
 * for Docker Compose (`localhost:8080`, `$TELEHUB_ADMIN_KEY` from `.env`); docs/simulator.md's
 * command goes to `sim-1`, which its own `provision` step creates.
 */
const DOCUMENTS = ["README.md", "docs/api.md", "docs/raspberry-pi.md"];

/** `npm start`'s demo on a free port, in a fresh data folder; resolves with its banner's URL and key. */
async function startDemo(dataDir: string): Promise<{ child: ChildProcess; url: string; key: string; password: string }> {
  const child = spawn(process.execPath, [DEMO], {
    env: { ...process.env, TELEHUB_HOST: "127.0.0.1", TELEHUB_PORT: "0", TELEHUB_DATA_DIR: dataDir, TELEHUB_ADMIN_KEY: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let url: string | undefined;
  let key: string | undefined;
  let password: string | undefined;
  // A demo that never finishes its banner is killed, which ends its output and this loop.
  const silent = setTimeout(() => child.kill(), 60_000);
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    url ??= /^Telehub is running at (\S+)/.exec(line)?.[1];
    key ??= /admin API key: (thk_\S+)/.exec(line)?.[1];
    password ??= /admin password: (\S+)$/.exec(line)?.[1];
    if (line.includes("Ctrl-C stops everything")) break;
  }
  clearTimeout(silent);
  if (!url || !key || !password) throw new Error("the demo printed no URL, admin key or admin password");
  child.stdout?.resume();
  return { child, url, key, password };
}

/**
 * Run one command with bash as a reader would, `curl` failing on an HTTP error (exit 22) so an
 * answer like 404 counts as a failure. `NAME=$(…)` commands hand `NAME` on to the next ones.
 */
function runCommand(doc: DocCommand, env: Record<string, string>, cwd: string): { ok: boolean; detail: string } {
  const assigned = /^([A-Z_]+)=\$\(/.exec(doc.command)?.[1];
  const script = [
    "set -o pipefail",
    'curl() { command curl --silent --show-error --fail-with-body --max-time 40 "$@"; }',
    doc.command,
    assigned ? `printf '\\n%s=%s' ${assigned} "$${assigned}"` : "",
  ].join("\n");
  const result = spawnSync("bash", ["-c", script], { env: { ...process.env, ...env }, encoding: "utf8", cwd });
  if (assigned) {
    const value = new RegExp(`\\n${assigned}=(.*)$`).exec(result.stdout)?.[1] ?? "";
    env[assigned] = value;
    if (value === "" || value === "undefined") return { ok: false, detail: `${assigned} came out empty: ${result.stderr}` };
  }
  return { ok: result.status === 0, detail: `exit ${result.status}: ${result.stdout.slice(0, 300)} ${result.stderr.slice(0, 300)}` };
}

describe("every hub command in the README and docs runs as printed, in order, against npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-docs-commands-"));
  let demo: Awaited<ReturnType<typeof startDemo>>;
  before(async () => {
    demo = await startDemo(dataDir);
  });
  after(async () => {
    const exited = new Promise((resolve) => demo.child.once("exit", resolve));
    demo.child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("finds the commands: each document has some, and the README's tour is among them", () => {
    for (const file of DOCUMENTS) {
      assert.ok(hubCommands(readFileSync(new URL(file, ROOT), "utf8"), file).length > 0, `${file} has hub commands`);
    }
    const readme = hubCommands(readFileSync(new URL("README.md", ROOT), "utf8"), "README.md").map((c) => c.command);
    assert.ok(readme.includes('curl -H "Authorization: Bearer $KEY" $HUB/api/v1/devices/demo-1/latest'), readme.join("\n"));
  });

  it("each one exits 0 (no HTTP error)", () => {
    const env: Record<string, string> = { HUB: demo.url, KEY: demo.key, PASSWORD: demo.password };
    // Files the commands write (a cookie jar) land in a folder of the test's own, not the checkout.
    const cwd = mkdtempSync(join(tmpdir(), "telehub-docs-cwd-"));
    const failures: string[] = [];
    let ran = 0;
    for (const file of DOCUMENTS) {
      for (const doc of hubCommands(readFileSync(new URL(file, ROOT), "utf8"), file)) {
        const { ok, detail } = runCommand(doc, env, cwd);
        ran++;
        if (!ok) failures.push(`${doc.where}: ${doc.command}\n  ${detail}`);
      }
    }
    rmSync(cwd, { recursive: true, force: true });
    assert.deepEqual(failures, [], `${failures.length} of ${ran} commands failed`);
    assert.ok(ran >= 30, `ran ${ran} commands`);
  });
});
