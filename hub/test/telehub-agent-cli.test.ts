import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

const BIN = fileURLToPath(new URL("../../../device-client/bin/telehub-agent.js", import.meta.url));

/** Start `telehub-agent --config FILE` as its own process; its log (stderr) collects as it runs. */
function spawnAgent(config: string): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, log: () => log, exited };
}

test("the telehub-agent process connects, logs it, streams a round, and on SIGTERM flushes and exits 0", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const dir = mkdtempSync(join(tmpdir(), "telehub-agent-process-"));
  try {
    const token = await running.provision("pi-process");
    writeFileSync(join(dir, "token"), `${token}\n`);
    const config = join(dir, "agent.json");
    writeFileSync(
      config,
      JSON.stringify({ hub: running.url, deviceId: "pi-process", tokenFile: "token", stateDir: "state", intervalS: 3600 }),
    );
    const { child, log, exited } = spawnAgent(config);
    await eventually(() => log().includes("info connected to"), "the connection is logged", 10_000);
    await eventually(
      async () =>
        (await callApi(running.hub, "GET", "/api/v1/devices/pi-process/telemetry/raw?metric=uptime_s&from=0")).body.data.length === 1,
      "the first round is stored",
      10_000,
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 0, log());
    assert.match(log(), /info SIGTERM: flushing and stopping/);
    assert.match(log(), /info stopped; buffered readings kept for the next start: 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await running.dispose();
  }
});

test("the telehub-agent process exits 1 when the hub refuses its token", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const dir = mkdtempSync(join(tmpdir(), "telehub-agent-process-"));
  try {
    await running.provision("pi-wrong");
    const config = join(dir, "agent.json");
    writeFileSync(config, JSON.stringify({ hub: running.url, deviceId: "pi-wrong", token: "not-the-token", stateDir: dir }));
    const { log, exited } = spawnAgent(config);
    assert.equal(await exited, 1, log());
    assert.match(log(), /error the hub refused this device for good: TH_/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await running.dispose();
  }
});
