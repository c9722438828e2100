import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AgentConfig, parseAgentConfig, SILENT_LOG, TelehubAgent } from "@telehub/device-client/agent";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";

const FAST = { backoff: { initialMs: 20, maxMs: 200 }, batchIntervalMs: 20 };
/** Long enough that only the round at start and the ones a test asks for happen. */
const ONE_HOUR = 3_600;

function agentConfig(
  running: RunningHub,
  deviceId: string,
  token: string,
  stateDir: string,
  extra: Record<string, unknown> = {},
): AgentConfig {
  return parseAgentConfig(
    { hub: running.url, deviceId, token, stateDir, intervalS: ONE_HOUR, collectors: { network: false }, ...extra },
    join(stateDir, "agent.json"),
  );
}

/** Every stored value of `metric` for the device, through the hub's HTTP API. */
async function storedPoints(running: RunningHub, deviceId: string, metric: string): Promise<{ ts: number; value: unknown }[]> {
  const answer = await callApi(
    running.hub,
    "GET",
    `/api/v1/devices/${deviceId}/telemetry/raw?metric=${metric}&from=0&to=${Date.now() + 60_000}`,
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.data;
}

describe("telehub-agent against the real hub", () => {
  const dirs: string[] = [];
  const stateDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-agent-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("readings taken while the hub is down wait on disk across an agent restart and arrive exactly once", async () => {
    const first = await startHub({ adminKey: TEST_ADMIN_KEY });
    let second: RunningHub | undefined;
    const dir = stateDir();
    try {
      const token = await first.provision("pi-restart");
      const config = agentConfig(first, "pi-restart", token, dir);
      const agent = await TelehubAgent.start(config, { log: SILENT_LOG, client: FAST, stopTimeoutMs: 200 });
      await agent.collectNow();
      await agent.client.flush(5_000);
      assert.equal((await storedPoints(first, "pi-restart", "uptime_s")).length, 1, "the round at start reached the hub");

      await first.stop();
      for (let i = 0; i < 3; i++) await agent.collectNow();
      await agent.stop();
      assert.ok(readFileSync(join(dir, "buffer.log"), "utf8").length > 0, "the buffer file holds the offline rounds");

      second = await startHub({ adminKey: TEST_ADMIN_KEY, port: Number(new URL(first.url).port) }, first.dataDir);
      const again = await TelehubAgent.start(config, { log: SILENT_LOG, client: FAST, stopTimeoutMs: 200 });
      await again.collectNow();
      await again.client.flush(10_000);
      await again.stop();

      const points = await storedPoints(second, "pi-restart", "uptime_s");
      assert.equal(points.length, 5, "1 before the outage + 3 during it + 1 after the restart, each once");
      assert.equal(new Set(points.map((p) => p.ts)).size, 5);
      assert.equal((await storedPoints(second, "pi-restart", "mem.total_bytes")).length, 5, "whole rounds, not only one metric");
    } finally {
      await second?.dispose();
      await first.dispose();
    }
  });

  test("over wss:// with the hub's private CA in caFile; without it the certificate is refused", async () => {
    const dir = stateDir();
    const tls = selfSignedCertificate(dir);
    const running = await startHub({ adminKey: TEST_ADMIN_KEY, tls });
    try {
      const token = await running.provision("pi-tls");
      const wss = running.url.replace(/^http:/, "https:");
      assert.match(wss, /^https:/);
      const agent = await TelehubAgent.start(
        agentConfig(running, "pi-tls", token, join(dir, "state"), { hub: wss, caFile: tls.certFile }),
        {
          log: SILENT_LOG,
          client: FAST,
        },
      );
      await agent.collectNow();
      await agent.client.flush(5_000);
      await agent.stop();
      assert.equal((await storedPoints(running, "pi-tls", "uptime_s")).length, 1);

      const lines: string[] = [];
      const log = { ...SILENT_LOG, warn: (m: string) => lines.push(m) };
      const untrusting = await TelehubAgent.start(agentConfig(running, "pi-tls", token, join(dir, "state2"), { hub: wss }), {
        log,
        client: FAST,
      });
      await eventually(() => lines.length > 0, "the failed attempt is logged");
      await untrusting.stop();
      assert.match(lines[0] ?? "", /cannot connect to https:/);
    } finally {
      await running.dispose();
    }
  });

  describe("commands and desired configuration", () => {
    let running: RunningHub;
    const agents: TelehubAgent[] = [];
    before(async () => {
      running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 } });
    });
    after(async () => {
      await Promise.all(agents.map((a) => a.stop()));
      await running.dispose();
    });

    async function startAgent(deviceId: string, extra: Record<string, unknown> = {}, dir = stateDir()): Promise<TelehubAgent> {
      const token = await running.provision(deviceId);
      const agent = await TelehubAgent.start(agentConfig(running, deviceId, token, dir, extra), {
        log: SILENT_LOG,
        client: FAST,
        rebootDelayMs: 10,
        stopTimeoutMs: 500,
      });
      agents.push(agent);
      await eventually(() => agent.client.connected, `${deviceId} is connected`);
      return agent;
    }
    const command = async (deviceId: string, name: string, args?: Record<string, unknown>) => {
      const answer = await callApi(running.hub, "POST", `/api/v1/devices/${deviceId}/commands?wait=5000`, { name, ...(args && { args }) });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body;
    };

    test("the machine's attributes arrive in hello: hostname, os, arch, agent and node versions, interval", async () => {
      await startAgent("pi-attrs");
      const device = await callApi(running.hub, "GET", "/api/v1/devices/pi-attrs");
      const attributes = device.body.attributes;
      assert.equal(typeof attributes.hostname, "string");
      assert.equal(attributes.arch, process.arch);
      assert.equal(attributes.node_version, process.versions.node);
      assert.match(attributes.agent_version, /^\d+\.\d+\.\d+/);
      assert.equal(attributes.interval_s, ONE_HOUR);
      assert.match(device.body.firmware, /^telehub-agent /);
    });

    test("ping answers pong with the uptimes", async () => {
      await startAgent("pi-ping");
      const done = await command("pi-ping", "ping");
      assert.equal(done.state, "succeeded");
      assert.equal(done.result.pong, true);
      assert.ok(done.result.uptime_s > 0);
      assert.ok(done.result.agent_uptime_s >= 0);
    });

    test("set_interval changes the interval, reports it, and keeps it across a restart; a bad value fails", async () => {
      const dir = stateDir();
      const agent = await startAgent("pi-interval", {}, dir);
      const done = await command("pi-interval", "set_interval", { seconds: 7 });
      assert.equal(done.state, "succeeded");
      assert.deepEqual(done.result, { interval_s: 7 });
      assert.equal(agent.intervalS, 7);
      await eventually(
        async () => (await callApi(running.hub, "GET", "/api/v1/devices/pi-interval")).body.attributes.interval_s === 7,
        "the new interval is reported",
      );
      // The pi-agent profile (given by the agent's firmware) refuses it at the hub; without a profile the agent does.
      const atHub = await callApi(running.hub, "POST", "/api/v1/devices/pi-interval/commands", {
        name: "set_interval",
        args: { seconds: 0 },
      });
      assert.equal(atHub.body.error?.code, "TH_API_COMMAND_ARGS_INVALID");
      await callApi(running.hub, "PATCH", "/api/v1/devices/pi-interval", { profileId: null });
      const refused = await command("pi-interval", "set_interval", { seconds: 0 });
      assert.equal(refused.state, "failed");
      assert.match(refused.error.message, /seconds must be a number of seconds from 1 to 86400/);

      await agent.stop();
      const token = await running.provision("pi-interval-2");
      const restarted = await TelehubAgent.start(agentConfig(running, "pi-interval-2", token, dir), { log: SILENT_LOG, client: FAST });
      agents.push(restarted);
      assert.equal(restarted.intervalS, 7, "the interval survives a restart (state.json), over the file's intervalS");
    });

    test("run_script runs only allow-listed scripts, with exit code, capped output and a timeout", async () => {
      await startAgent("pi-script", {
        scripts: {
          hello: "echo hello; echo oops >&2; exit 3",
          chatty: ["node", "-e", "process.stdout.write('y'.repeat(10000))"],
          stuck: { command: "sleep 10", timeoutMs: 100 },
        },
        scriptOutputMaxBytes: 64,
      });
      const hello = await command("pi-script", "run_script", { name: "hello" });
      assert.equal(hello.state, "succeeded");
      assert.deepEqual(
        [hello.result.exit_code, hello.result.stdout, hello.result.stderr, hello.result.truncated],
        [3, "hello\n", "oops\n", false],
      );
      const chatty = await command("pi-script", "run_script", { name: "chatty" });
      assert.deepEqual([chatty.result.exit_code, chatty.result.stdout, chatty.result.truncated], [0, "y".repeat(64), true]);
      const stuck = await command("pi-script", "run_script", { name: "stuck" });
      assert.deepEqual([stuck.result.timed_out, stuck.result.signal], [true, "SIGKILL"]);
      const refused = await command("pi-script", "run_script", { name: "rm-everything" });
      assert.equal(refused.state, "failed");
      assert.match(refused.error.message, /script "rm-everything" is not allowed: .* \(allowed: hello, chatty, stuck\)/);
      const constructorName = await command("pi-script", "run_script", { name: "constructor" });
      assert.equal(constructorName.state, "failed", "only the file's own script names");
    });

    test("reboot is refused by default, and runs the reboot command when allowReboot is true", async () => {
      await startAgent("pi-noreboot");
      const refused = await command("pi-noreboot", "reboot");
      assert.equal(refused.state, "failed");
      assert.match(refused.error.message, /reboot refused: "allowReboot" is not true in .*agent\.json/);

      const dir = stateDir();
      const marker = join(dir, "rebooted");
      await startAgent("pi-reboot", { allowReboot: true, rebootCommand: ["/bin/sh", "-c", `echo rebooted > '${marker}'`] }, dir);
      const done = await command("pi-reboot", "reboot");
      assert.equal(done.state, "succeeded");
      assert.deepEqual(done.result, { rebooting: true });
      await eventually(() => existsSync(marker), "the (harmless) reboot command ran");
      assert.equal(readFileSync(marker, "utf8"), "rebooted\n");
    });

    test("interval_s in the desired configuration is applied, acknowledged and kept in the state file", async () => {
      const dir = stateDir();
      const agent = await startAgent("pi-desired", {}, dir);
      const set = await callApi(running.hub, "PUT", "/api/v1/devices/pi-desired/config", { document: { interval_s: 15 } });
      assert.equal(set.status, 200);
      await eventually(() => agent.intervalS === 15, "the interval from the desired configuration");
      await eventually(
        async () => (await callApi(running.hub, "GET", "/api/v1/devices/pi-desired/config")).body.reported.inSync === true,
        "the hub records the device in sync",
      );
      assert.deepEqual(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")), { intervalS: 15, configVersion: 1 });

      await callApi(running.hub, "PUT", "/api/v1/devices/pi-desired/config", { document: { interval_s: "fast" } });
      await eventually(
        async () => (await callApi(running.hub, "GET", "/api/v1/devices/pi-desired/config")).body.reported.error !== null,
        "a bad interval is reported as not applied",
      );
      const view = await callApi(running.hub, "GET", "/api/v1/devices/pi-desired/config");
      assert.match(view.body.reported.error, /interval_s must be a number of seconds/);
      assert.equal(agent.intervalS, 15);
    });
  });
});
