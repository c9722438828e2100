import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TelehubClient, type TelehubClientOptions } from "@telehub/device-client";
import { AGENT_COMMANDS, parseAgentConfig, SILENT_LOG, TelehubAgent } from "@telehub/device-client/agent";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { httpApi, sampleProfile } from "./support/profile-api.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

const FAST = { initialMs: 20, maxMs: 200 };

describe("devices and their profiles, over real sockets", () => {
  let running: RunningHub;
  const clients: TelehubClient[] = [];
  const api = (method: string, path: string, body?: unknown) => httpApi(running.url, TEST_ADMIN_KEY, method, path, body);

  /** Register a device through the API and connect the Node client with these hello fields; resolves once welcomed. */
  async function connect(id: string, options: Partial<TelehubClientOptions> = {}, profileId?: string): Promise<TelehubClient> {
    const created = await api("POST", "/devices", { id, ...(profileId !== undefined && { profileId }) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const client = new TelehubClient({ url: running.url, deviceId: id, token: created.body.token, backoff: FAST, ...options });
    clients.push(client);
    await client.connect();
    return client;
  }

  async function rawDevice(id: string): Promise<RawDevice> {
    const created = await api("POST", "/devices", { id });
    const device = await RawDevice.connect(running.wsUrl, { deviceId: id, token: created.body.token });
    assert.ok(!isRefusal(device));
    return device;
  }

  const device = async (id: string) => (await api("GET", `/devices/${id}`)).body;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 } });
    await api("POST", "/profiles", sampleProfile("fridge", { match: { models: ["fridge-*"] } }));
    await api("POST", "/profiles", sampleProfile("a-fridge-too", { match: { models: ["fridge-x*"] } }));
    await api("POST", "/profiles", sampleProfile("configured", { match: { firmware: ["cfg *"] }, defaultConfig: { interval_s: 7 } }));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await running.dispose();
  });

  test("a device without a profile gets the first (by id) whose model or firmware patterns match its hello", async () => {
    await connect("thermo-1", { model: "sim-thermostat", firmware: "telehub-sim" });
    assert.equal((await device("thermo-1")).profileId, "sim-thermostat");
    await connect("pi-1", { firmware: "telehub-agent 1.4.0", model: "Raspberry Pi 4 Model B Rev 1.5" });
    assert.equal((await device("pi-1")).profileId, "pi-agent", "by firmware");
    await connect("fridge-1", { model: "fridge-x2" });
    assert.equal((await device("fridge-1")).profileId, "a-fridge-too", "both match: the first by id");
    await connect("fridge-2", { model: "fridge-basic" });
    assert.equal((await device("fridge-2")).profileId, "fridge", "`*` spans any run of characters");
    await connect("odd-1", { model: "sim-thermostat-2", firmware: "other telehub-agent 1" });
    assert.equal((await device("odd-1")).profileId, null, "patterns match the whole value");
    await connect("bare-1");
    assert.equal((await device("bare-1")).profileId, null, "no model, no firmware: no profile");
  });

  test("a device that has a profile keeps it at its hello", async () => {
    await connect("kept-1", { model: "sim-thermostat" }, "sim-energy-meter");
    assert.equal((await device("kept-1")).profileId, "sim-energy-meter");
    const cleared = await api("PATCH", "/devices/kept-1", { profileId: null });
    assert.equal(cleared.body.profileId, null, "taken away by the API");
  });

  test("an auto-assigned profile's default configuration reaches the device after its welcome", async () => {
    const created = await api("POST", "/devices", { id: "cfg-1" });
    const client = new TelehubClient({
      url: running.url,
      deviceId: "cfg-1",
      token: created.body.token,
      backoff: FAST,
      firmware: "cfg 2.0",
    });
    clients.push(client);
    const received: { document: unknown; version: number }[] = [];
    client.onConfig((document, version) => {
      received.push({ document, version });
    });
    await client.connect();
    await eventually(() => received.length > 0, "the device has its configuration");
    assert.deepEqual(received, [{ document: { interval_s: 7 }, version: 1 }]);
    assert.equal((await device("cfg-1")).profileId, "configured");
    const config = (await api("GET", "/devices/cfg-1/config")).body;
    assert.equal(config.desired.version, 1);
    await eventually(async () => (await api("GET", "/devices/cfg-1/config")).body.reported.version === 1, "the device reported it applied");
  });

  test("the Pi agent reports its commands and gets the pi-agent profile by its firmware", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "telehub-agent-profile-"));
    const token = (await api("POST", "/devices", { id: "pi-agent-1" })).body.token;
    const config = parseAgentConfig(
      { hub: running.url, deviceId: "pi-agent-1", token, stateDir, intervalS: 3_600, collectors: { network: false } },
      join(stateDir, "agent.json"),
    );
    const agent = await TelehubAgent.start(config, { log: SILENT_LOG, client: { backoff: FAST }, stopTimeoutMs: 200 });
    try {
      await eventually(() => agent.client.connected, "the agent is connected");
      const seen = await device("pi-agent-1");
      assert.deepEqual(seen.reportedCommands, [...AGENT_COMMANDS]);
      assert.equal(seen.profileId, "pi-agent");
    } finally {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test("hello.cmds is stored and shown as reportedCommands; a hello without it reports none", async () => {
    const client = await connect("cmds-1", { commands: ["reboot", "set_point", "fw:update"] });
    assert.deepEqual((await device("cmds-1")).reportedCommands, ["reboot", "set_point", "fw:update"]);
    await client.close({ flush: false });
    const token = (await api("POST", "/devices/cmds-1/token", {})).body.token;
    const again = new TelehubClient({ url: running.url, deviceId: "cmds-1", token, backoff: FAST });
    clients.push(again);
    await again.connect();
    assert.deepEqual((await device("cmds-1")).reportedCommands, [], "each hello replaces the list");
  });

  test("a hello whose cmds is not a list of at most 64 command names closes with 4422 TH_PROTOCOL_VIOLATION", async () => {
    const malformed: unknown[] = [
      "reboot",
      [1],
      ["ok", true],
      ["has space"],
      ["-leading-dash"],
      ["x".repeat(65)],
      { reboot: true },
      Array.from({ length: 65 }, (_, i) => `c${i}`),
    ];
    for (const [i, cmds] of malformed.entries()) {
      const raw = await rawDevice(`bad-cmds-${i}`);
      raw.send({ t: "hello", v: 1, cmds } as Record<string, unknown>);
      assert.deepEqual(await raw.closed(), { code: 4422, reason: "TH_PROTOCOL_VIOLATION" }, JSON.stringify(cmds));
      assert.deepEqual((await device(`bad-cmds-${i}`)).reportedCommands, [], "nothing was recorded");
    }
    const raw = await rawDevice("good-cmds");
    await raw.hello({ cmds: Array.from({ length: 64 }, (_, i) => `c.${i}:x_y-z`) });
    assert.equal((await device("good-cmds")).reportedCommands.length, 64, "64 names of the command-name rule are fine");
    raw.close();
  });

  test("command args are checked against the profile's schema before anything reaches the device", async () => {
    const client = await connect("checked-1", { model: "sim-thermostat" });
    const calls: unknown[] = [];
    client.onCommand("set_setpoint", (args) => {
      calls.push(args);
      return { setpoint: args.setpoint ?? null };
    });
    client.onCommand("blink", () => "blinked");

    const ok = await api("POST", "/devices/checked-1/commands?wait=5000", { name: "set_setpoint", args: { setpoint: 21.5 } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.state, "succeeded");

    const refusals: [unknown, RegExp][] = [
      [{ setpoint: 40 }, /\/setpoint must be <= 28/],
      [{ setpoint: "21" }, /\/setpoint must be number/],
      [{}, /must have required property 'setpoint'/],
      [{ setpoint: 20, extra: 1 }, /must NOT have additional properties/],
    ];
    for (const [args, message] of refusals) {
      const refused = await api("POST", "/devices/checked-1/commands", { name: "set_setpoint", args });
      assert.equal(refused.status, 400, JSON.stringify(args));
      assert.equal(refused.body.error.code, "TH_API_COMMAND_ARGS_INVALID");
      assert.match(refused.body.error.message, message);
    }
    const noArgs = await api("POST", "/devices/checked-1/commands", { name: "set_setpoint" });
    assert.equal(noArgs.body.error.code, "TH_API_COMMAND_ARGS_INVALID", "absent args are checked as {}");

    const unlisted = await api("POST", "/devices/checked-1/commands?wait=5000", { name: "blink", args: { anything: [1, 2] } });
    assert.equal(unlisted.status, 201, "a command the profile does not list is sent unchecked");
    assert.equal(unlisted.body.state, "succeeded");

    assert.deepEqual(calls, [{ setpoint: 21.5 }], "the device saw only the valid command");
    const stored = await api("GET", "/commands?deviceId=checked-1&limit=100");
    assert.equal(stored.body.total, 2, "refused commands were never stored");

    const unprofiled = await connect("free-1");
    unprofiled.onCommand("set_setpoint", (args) => args.setpoint ?? null);
    const free = await api("POST", "/devices/free-1/commands", { name: "set_setpoint", args: { setpoint: 99 } });
    assert.equal(free.status, 201, "a device without a profile: nothing to check against");
  });

  test("a bulk command is checked per device, refused devices answered 400 beside the others", async () => {
    await api("POST", "/devices", { id: "bulk-thermo", profileId: "sim-thermostat" });
    await api("POST", "/devices", { id: "bulk-free" });
    const answer = await api("POST", "/commands/bulk", {
      name: "set_setpoint",
      args: { setpoint: 35 },
      devices: ["bulk-thermo", "bulk-free", "bulk-none"],
    });
    assert.equal(answer.status, 200);
    const byDevice = Object.fromEntries(answer.body.results.map((r: { deviceId: string }) => [r.deviceId, r]));
    assert.equal(byDevice["bulk-thermo"].status, 400);
    assert.equal(byDevice["bulk-thermo"].error.code, "TH_API_COMMAND_ARGS_INVALID");
    assert.match(byDevice["bulk-thermo"].error.message, /\/setpoint must be <= 28/);
    assert.equal(byDevice["bulk-free"].status, 201);
    assert.equal(byDevice["bulk-none"].status, 404);
    assert.equal((await api("GET", "/commands?deviceId=bulk-thermo")).body.total, 0);
  });

  test("a changed profile's schema applies to the next command", async () => {
    await api("POST", "/devices", { id: "evolving-1", profileId: "fridge" });
    const before = await api("POST", "/devices/evolving-1/commands", { name: "set_point", args: { celsius: 40 } });
    assert.equal(before.body.error.code, "TH_API_COMMAND_ARGS_INVALID");
    const { id: _id, ...fridge } = sampleProfile("fridge", { match: { models: ["fridge-*"] } });
    const widened = fridge.commands.map((c) =>
      c.name === "set_point" ? { ...c, args: { type: "object", properties: { celsius: { type: "number", maximum: 50 } } } } : c,
    );
    assert.equal((await api("PUT", "/profiles/fridge", { ...fridge, commands: widened })).status, 200);
    const afterChange = await api("POST", "/devices/evolving-1/commands", { name: "set_point", args: { celsius: 40 } });
    assert.equal(afterChange.status, 201, JSON.stringify(afterChange.body));
  });
});
