import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  AGENT_COMMANDS,
  AGENT_VERSION,
  buildCollectors,
  CollectRound,
  findThermalZones,
  mountName,
  networkCollector,
  parseAgentConfig,
  SILENT_LOG,
  thermalCollector,
} from "@telehub/device-client/agent";
import { APP_METRICS } from "@telehub/device-client/espruino";
import { BUILT_IN_PROFILES, type ProfileDefinition } from "@telehub/hub";
import { BUILT_IN_PROFILES as SIMULATOR_PROFILES } from "../src/profiles/index.js";
import { deviceRandom } from "../src/profiles/random.js";

/** The hub's built-in profile of this id. */
function hubProfile(id: string): ProfileDefinition {
  const profile = BUILT_IN_PROFILES.find((p) => p.id === id);
  assert.ok(profile, `the hub ships a profile ${id}`);
  return profile;
}

/** Every metric name and value type that readings carry. */
function typesOf(readings: readonly Record<string, unknown>[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const reading of readings) for (const [name, value] of Object.entries(reading)) types.set(name, typeof value);
  return types;
}

function assertDescribes(profile: ProfileDefinition, types: Map<string, string>): void {
  for (const [name, type] of types) {
    const metric = profile.metrics.find((m) => m.name === name);
    assert.ok(metric, `${profile.id} lists ${name}`);
    assert.equal(metric.type, type, `${profile.id}.${name} is a ${type}`);
  }
}

/** The hub's glob (`*` only, whole value). */
const globMatches = (glob: string, value: string): boolean =>
  new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  ).test(value);

describe("the hub's built-in profiles describe what Telehub ships", () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  for (const [name, simulator] of Object.entries(SIMULATOR_PROFILES)) {
    it(`simulator profile ${name}: every metric with its type, every command, its model`, () => {
      const profile = hubProfile(`sim-${name}`);
      assert.ok(
        profile.match?.models?.some((glob) => globMatches(glob, simulator.model)),
        `${profile.id} matches model ${simulator.model}`,
      );
      const readings = [];
      for (let device = 0; device < 5; device++) {
        const model = simulator.create(deviceRandom(7, device), device);
        for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2026, 0, 2); t += 600_000) readings.push(model.next(t));
      }
      const types = typesOf(readings);
      assert.deepEqual([...types.keys()].sort(), Object.keys(simulator.ranges).sort(), "the readings carry every documented metric");
      assertDescribes(profile, types);
      assert.deepEqual(profile.metrics.map((m) => m.name).sort(), [...types.keys()].sort(), "and nothing the simulator does not send");
      assert.deepEqual(profile.commands.map((c) => c.name).sort(), [...(simulator.commands ?? [])].sort());
    });
  }

  it("the Pi agent: its collectors' metrics on this machine and on a Pi, its commands, its firmware", async () => {
    const profile = hubProfile("pi-agent");
    assert.ok(profile.match?.firmware?.some((glob) => globMatches(glob, `telehub-agent ${AGENT_VERSION}`)));
    assert.deepEqual(profile.commands.map((c) => c.name).sort(), [...AGENT_COMMANDS].sort());

    // This machine, with the defaults (`/`, every interface but lo): per-interface counters of
    // interfaces other than eth0 and wlan0 are not in the profile (shown as "not in profile").
    const config = parseAgentConfig({}, "(defaults)", { collectOnly: true });
    const here = await new CollectRound(await buildCollectors(config, SILENT_LOG), SILENT_LOG).collect();
    const listed = typesOf([here]);
    for (const name of listed.keys()) if (/^net\.(?!eth0\.|wlan0\.)/.test(name)) listed.delete(name);
    assert.ok(listed.has("mem.used_pct") && listed.has("disk.root.used_pct") && listed.has("load.1m"), JSON.stringify([...listed.keys()]));
    assertDescribes(profile, listed);

    // What a Pi adds: its cpu-thermal zone, eth0 and wlan0, the /boot/firmware mount.
    const sys = mkdtempSync(join(tmpdir(), "telehub-pi-"));
    folders.push(sys);
    mkdirSync(join(sys, "thermal", "thermal_zone0"), { recursive: true });
    writeFileSync(join(sys, "thermal", "thermal_zone0", "temp"), "48312\n");
    writeFileSync(join(sys, "thermal", "thermal_zone0", "type"), "cpu-thermal\n");
    mkdirSync(join(sys, "proc", "net"), { recursive: true });
    writeFileSync(
      join(sys, "proc", "net", "dev"),
      "Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n" +
        "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n wlan0: 3000 30 0 0 0 0 0 0 4000 40 0 0 0 0 0 0\n",
    );
    const thermal = thermalCollector(join(sys, "thermal"), await findThermalZones(join(sys, "thermal")));
    const pi = { ...(await thermal.collect()), ...(await networkCollector({ include: [], exclude: ["lo"] }, join(sys, "proc")).collect()) };
    const boot = mountName("/boot/firmware");
    for (const field of ["total_bytes", "free_bytes", "used_pct"]) pi[`disk.${boot}.${field}`] = 1;
    const onPi = typesOf([pi]);
    assert.equal(onPi.size, 2 + 8 + 3);
    assertDescribes(profile, onPi);
  });

  it("the ESP32 example app: its metrics, its model", () => {
    const profile = hubProfile("esp32-example");
    assert.ok(profile.match?.models?.some((glob) => globMatches(glob, "esp32")));
    assertDescribes(profile, new Map(APP_METRICS.map((name) => [name, "number"])));
    assert.deepEqual(profile.metrics.map((m) => m.name).sort(), [...APP_METRICS].sort());
  });

  it("every chart shows metrics its profile lists, and the Pi agent shows six by default", () => {
    for (const profile of BUILT_IN_PROFILES) {
      const names = new Set(profile.metrics.map((m) => m.name));
      for (const chart of profile.layout.charts)
        for (const metric of chart.metrics) assert.ok(names.has(metric), `${profile.id}: ${chart.title}`);
    }
    assert.equal(hubProfile("pi-agent").layout.charts.filter((c) => c.shown !== false).length, 6);
  });
});
