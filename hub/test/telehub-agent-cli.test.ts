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

test("a telehub-agent process stopped while the hub is down keeps its rounds on disk; the next process delivers each once", async () => {
  const first = await startHub({ adminKey: TEST_ADMIN_KEY });
  const dir = mkdtempSync(join(tmpdir(), "telehub-agent-process-"));
  let second: Awaited<ReturnType<typeof startHub>> | undefined;
  try {
    const token = await first.provision("pi-reboot-buffer");
    await first.stop();
    const config = (intervalS: number): string => {
      const file = join(dir, `agent-${intervalS}.json`);
      writeFileSync(file, JSON.stringify({ hub: first.url, deviceId: "pi-reboot-buffer", token, stateDir: "state", intervalS }));
      return file;
    };
    const offline = spawnAgent(config(0.1));
    await eventually(() => offline.log().includes("cannot connect"), "the outage is logged", 10_000);
    await new Promise((r) => setTimeout(r, 500));
    offline.child.kill("SIGTERM");
    assert.equal(await offline.exited, 0, offline.log());
    const kept = Number(/buffered readings kept for the next start: (\d+)/.exec(offline.log())?.[1]);
    assert.ok(kept >= 3, `several rounds were buffered: ${offline.log()}`);

    second = await startHub({ adminKey: TEST_ADMIN_KEY, port: Number(new URL(first.url).port) }, first.dataDir);
    const online = spawnAgent(config(3600));
    await eventually(() => online.log().includes(`buffered readings: ${kept}`), "the next process finds the rounds on disk", 10_000);
    const running = second;
    const stored = async (): Promise<number> =>
      (await callApi(running.hub, "GET", "/api/v1/devices/pi-reboot-buffer/telemetry/raw?metric=uptime_s&from=0")).body.data.length;
    await eventually(async () => (await stored()) === kept + 1, `all ${kept + 1} rounds are stored`, 10_000);
    online.child.kill("SIGTERM");
    assert.equal(await online.exited, 0, online.log());
    assert.equal(await stored(), kept + 1, "each round once");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await second?.dispose();
    await first.dispose();
  }
});
