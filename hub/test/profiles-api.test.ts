import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BUILT_IN_PROFILES } from "../src/profiles/builtin/index.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { httpApi, sampleProfile } from "./support/profile-api.js";

describe("device profiles over the HTTP API", () => {
  let running: RunningHub;
  let viewerKey: string;
  let operatorKey: string;
  const api = (method: string, path: string, body?: unknown, key = TEST_ADMIN_KEY) => httpApi(running.url, key, method, path, body);

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
    viewerKey = (await api("POST", "/api-keys", { name: "watcher", role: "viewer" })).body.key;
    operatorKey = (await api("POST", "/api-keys", { name: "ops", role: "operator" })).body.key;
  });
  after(() => running.dispose());

  test("the built-in profiles are there at the first start, sorted by id and paged", async () => {
    const all = await api("GET", "/profiles?limit=100");
    assert.equal(all.status, 200);
    const ids = all.body.data.map((p: { id: string }) => p.id);
    assert.deepEqual(ids, ["esp32-example", "pi-agent", "sim-air-quality", "sim-energy-meter", "sim-gps-tracker", "sim-thermostat"]);
    assert.equal(all.body.total, 6);
    assert.equal(all.headers.get("x-total-count"), "6");
    for (const profile of all.body.data) {
      assert.equal(profile.builtIn, true);
      assert.equal(profile.version, 1);
      assert.equal(profile.updatedBy, null);
    }
    const agent = all.body.data.find((p: { id: string }) => p.id === "pi-agent");
    assert.deepEqual(agent, {
      ...BUILT_IN_PROFILES.find((p) => p.id === "pi-agent"),
      version: 1,
      builtIn: true,
      createdAt: agent.createdAt,
      updatedAt: agent.createdAt,
      updatedBy: null,
    });
    const page = await api("GET", "/profiles?limit=2&offset=2");
    assert.deepEqual(
      page.body.data.map((p: { id: string }) => p.id),
      ["sim-air-quality", "sim-energy-meter"],
    );
  });

  test("create, read, replace with a version check, history, delete", async () => {
    const definition = sampleProfile("fridge");
    const created = await api("POST", "/profiles", definition);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body, {
      ...definition,
      version: 1,
      builtIn: false,
      createdAt: created.body.createdAt,
      updatedAt: created.body.createdAt,
      updatedBy: "initial admin",
    });
    const again = await api("POST", "/profiles", definition);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "TH_API_CONFLICT");
    assert.deepEqual((await api("GET", "/profiles/fridge", undefined, viewerKey)).body, created.body);

    const { id: _id, ...rest } = definition;
    const renamed = await api("PUT", "/profiles/fridge", { ...rest, name: "Fridge v2", version: 1 });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.version, 2);
    assert.equal(renamed.body.name, "Fridge v2");
    assert.equal(renamed.body.id, "fridge");

    const stale = await api("PUT", "/profiles/fridge", { ...rest, name: "lost update", version: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, "TH_API_PROFILE_VERSION_CONFLICT");
    assert.equal(stale.body.error.details.current, 2);
    assert.equal((await api("GET", "/profiles/fridge")).body.name, "Fridge v2", "the stale update changed nothing");

    const unchecked = await api("PUT", "/profiles/fridge", { ...rest, name: "Fridge v3", commands: [] });
    assert.equal(unchecked.body.version, 3);

    const versions = await api("GET", "/profiles/fridge/versions", undefined, viewerKey);
    assert.equal(versions.status, 200);
    assert.deepEqual(
      versions.body.data.map((v: { version: number; updatedBy: string }) => [v.version, v.updatedBy]),
      [
        [3, "initial admin"],
        [2, "initial admin"],
        [1, "initial admin"],
      ],
    );
    const first = await api("GET", "/profiles/fridge/versions/1", undefined, viewerKey);
    assert.deepEqual(first.body, created.body, "version 1 as it was");
    assert.equal((await api("GET", "/profiles/fridge/versions/2")).body.name, "Fridge v2");
    assert.equal((await api("GET", "/profiles/fridge/versions/4")).status, 404);

    assert.equal((await api("PUT", "/profiles/nobody", rest)).status, 404);
    assert.equal((await api("GET", "/profiles/nobody/versions")).status, 404);
    assert.equal((await api("DELETE", "/profiles/fridge")).status, 204);
    assert.equal((await api("GET", "/profiles/fridge")).body.error.code, "TH_API_NOT_FOUND");
    assert.equal((await api("GET", "/profiles/fridge/versions/1")).status, 404, "the history goes with it");
    assert.equal((await api("DELETE", "/profiles/fridge")).status, 404);
    const recreated = await api("POST", "/profiles", definition);
    assert.equal(recreated.body.version, 1, "a new profile with the id starts a new history");
    assert.deepEqual(
      (await api("GET", "/profiles/fridge/versions")).body.data.map((v: { version: number }) => v.version),
      [1],
    );
  });

  test("a profile that devices have cannot be deleted; devices get one at creation and through PATCH", async () => {
    await api("POST", "/profiles", sampleProfile("pump"));
    const unknown = await api("POST", "/devices", { id: "pump-0", profileId: "no-such-profile" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "TH_API_PROFILE_UNKNOWN");
    assert.equal((await api("GET", "/devices/pump-0")).status, 404, "nothing was created");

    const created = await api("POST", "/devices", { id: "pump-1", profileId: "pump" }, operatorKey);
    assert.equal(created.status, 201);
    assert.equal(created.body.device.profileId, "pump");
    assert.deepEqual(created.body.device.reportedCommands, []);
    const inUse = await api("DELETE", "/profiles/pump");
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error.code, "TH_API_PROFILE_IN_USE");
    assert.equal(inUse.body.error.details.devices, 1);

    assert.equal((await api("PATCH", "/devices/pump-1", { profileId: "nope" }, operatorKey)).body.error.code, "TH_API_PROFILE_UNKNOWN");
    assert.equal((await api("GET", "/devices/pump-1")).body.profileId, "pump", "a refused PATCH changes nothing");
    const moved = await api("PATCH", "/devices/pump-1", { profileId: "sim-thermostat" }, operatorKey);
    assert.equal(moved.status, 200);
    assert.equal(moved.body.profileId, "sim-thermostat");
    assert.equal(
      (await api("GET", "/devices?limit=100")).body.data.find((d: { id: string }) => d.id === "pump-1").profileId,
      "sim-thermostat",
    );
    assert.equal((await api("DELETE", "/profiles/pump")).status, 204);
    const cleared = await api("PATCH", "/devices/pump-1", { profileId: null }, operatorKey);
    assert.equal(cleared.body.profileId, null);
  });

  test("a device that gets a profile gets its default configuration, unless it has one", async () => {
    const defaultConfig = { interval_s: 15, wifiPassword: "hunter2-hunter2" };
    await api("POST", "/profiles", sampleProfile("configured", { defaultConfig }));
    await api("POST", "/devices", { id: "cfg-1", profileId: "configured" });
    const config = await api("GET", "/devices/cfg-1/config");
    assert.equal(config.body.desired.version, 1);
    assert.deepEqual(config.body.desired.document, defaultConfig);

    await api("POST", "/devices", { id: "cfg-2" });
    assert.equal((await api("GET", "/devices/cfg-2/config")).body.desired, null);
    await api("PATCH", "/devices/cfg-2", { profileId: "configured" });
    assert.deepEqual((await api("GET", "/devices/cfg-2/config")).body.desired.document, defaultConfig, "through PATCH too");

    await api("POST", "/devices", { id: "cfg-3" });
    await api("PUT", "/devices/cfg-3/config", { document: { interval_s: 60 } });
    await api("PATCH", "/devices/cfg-3", { profileId: "configured" });
    const kept = await api("GET", "/devices/cfg-3/config");
    assert.deepEqual(
      kept.body.desired,
      { ...kept.body.desired, version: 1, document: { interval_s: 60 } },
      "an existing configuration stays",
    );

    const seen = await api("GET", "/profiles/configured", undefined, viewerKey);
    assert.deepEqual(seen.body.defaultConfig, { interval_s: 15, wifiPassword: "[redacted]" }, "a viewer reads secrets redacted");
    const listed = await api("GET", "/profiles?limit=100", undefined, viewerKey);
    assert.equal(listed.body.data.find((p: { id: string }) => p.id === "configured").defaultConfig.wifiPassword, "[redacted]");
    assert.equal((await api("GET", "/profiles/configured")).body.defaultConfig.wifiPassword, "hunter2-hunter2", "an admin reads it");
  });

  test("only admins write profiles; viewers and operators read them", async () => {
    for (const key of [viewerKey, operatorKey]) {
      const denied = [
        await api("POST", "/profiles", sampleProfile("sneaky"), key),
        await api("PUT", "/profiles/sim-thermostat", { name: "x", metrics: [], commands: [], layout: { charts: [] } }, key),
        await api("DELETE", "/profiles/sim-thermostat", undefined, key),
      ];
      for (const answer of denied) {
        assert.equal(answer.status, 403);
        assert.equal(answer.body.error.code, "TH_API_FORBIDDEN");
      }
      assert.equal((await api("GET", "/profiles/sim-thermostat", undefined, key)).status, 200);
    }
    assert.equal((await api("GET", "/profiles/sneaky")).status, 404);
    assert.equal((await api("GET", "/profiles/sim-thermostat")).body.version, 1);
  });

  test("rules between fields are TH_API_PROFILE_INVALID naming the field; shape errors are TH_API_VALIDATION", async () => {
    const base = sampleProfile("bad");
    const invalid: [string, unknown][] = [
      ["layout.charts[0].metrics[0]", { ...base, layout: { charts: [{ title: "T", metrics: ["humidity"] }] } }],
      ["metrics[2].name", { ...base, metrics: [...base.metrics, base.metrics[0]] }],
      ["commands[2].name", { ...base, commands: [...base.commands, { name: "ping" }] }],
      ["commands[0].args", { ...base, commands: [{ name: "x", args: { type: "object", requird: ["a"] } }] }],
      ["commands[0].args", { ...base, commands: [{ name: "x", args: { type: "nonsense" } }] }],
      ["metrics[0].kind", { ...base, metrics: [{ name: "on", type: "boolean", kind: "gauge" }], layout: { charts: [] } }],
      ["metrics[0].states", { ...base, metrics: [{ name: "t", type: "number", kind: "gauge", states: ["a"] }], layout: { charts: [] } }],
      [
        "metrics[0].range",
        { ...base, metrics: [{ name: "t", type: "number", kind: "gauge", range: { min: 5, max: 1 } }], layout: { charts: [] } },
      ],
      ["layout.charts[1].title", { ...base, layout: { charts: [base.layout.charts[0], base.layout.charts[0]] } }],
      ["layout.charts[0].metrics[1]", { ...base, layout: { charts: [{ title: "T", metrics: ["temperature", "temperature"] }] } }],
      ["defaultConfig", { ...base, defaultConfig: { blob: "x".repeat(20_000) } }],
    ];
    for (const [field, body] of invalid) {
      const answer = await api("POST", "/profiles", body);
      assert.equal(answer.status, 400, field);
      assert.equal(answer.body.error.code, "TH_API_PROFILE_INVALID", `${field}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.details.field, field);
      assert.ok(answer.body.error.message.startsWith(`${field}: `), answer.body.error.message);
    }
    const { id: _id, ...rest } = base;
    const put = await api("PUT", "/profiles/sim-thermostat", { ...rest, layout: { charts: [{ title: "T", metrics: ["nope"] }] } });
    assert.equal(put.body.error.code, "TH_API_PROFILE_INVALID", "PUT checks the same rules");

    const malformed: [string, unknown][] = [
      ["a misspelt nested field", { ...base, metrics: [{ name: "t", type: "number", kind: "gauge", unti: "°C" }], layout: { charts: [] } }],
      ["too many decimals", { ...base, metrics: [{ name: "t", type: "number", kind: "gauge", decimals: 7 }], layout: { charts: [] } }],
      ["an unknown kind", { ...base, metrics: [{ name: "t", type: "number", kind: "level" }], layout: { charts: [] } }],
      ["a bad id", { ...base, id: "Upper_Case" }],
      ["a bad metric name", { ...base, metrics: [{ name: "bad name", type: "number", kind: "gauge" }], layout: { charts: [] } }],
      ["a long unit", { ...base, metrics: [{ name: "t", type: "number", kind: "gauge", unit: "x".repeat(17) }], layout: { charts: [] } }],
      ["an empty chart", { ...base, layout: { charts: [{ title: "T", metrics: [] }] } }],
      ["no layout", { ...base, layout: undefined }],
      ["an unknown top-level field", { ...base, colour: "red" }],
    ];
    for (const [what, body] of malformed) {
      const answer = await api("POST", "/profiles", body);
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body.error.code, "TH_API_VALIDATION", `${what}: ${JSON.stringify(answer.body)}`);
    }
    assert.match((await api("POST", "/profiles", malformed[0]?.[1])).body.error.message, /unknown field unti/);
    assert.equal((await api("GET", "/profiles/bad")).status, 404, "nothing was stored");
  });

  test("profile changes are audited with who made them", async () => {
    await api("POST", "/profiles", sampleProfile("audited"));
    const { id: _id, ...rest } = sampleProfile("audited");
    await api("PUT", "/profiles/audited", rest);
    await api("DELETE", "/profiles/audited");
    const audit = await api("GET", "/audit?target=audited&limit=10");
    assert.deepEqual(
      audit.body.data.map((e: { action: string; details: { version?: number } }) => [e.action, e.details.version]).reverse(),
      [
        ["profile.create", 1],
        ["profile.update", 2],
        ["profile.delete", undefined],
      ],
    );
    assert.ok(audit.body.data.every((e: { actor: string }) => e.actor === "key:abababababababab"));
  });
});

describe("built-in profiles across restarts", () => {
  test("an edited built-in profile is kept; a deleted one is seeded again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-profiles-"));
    try {
      let running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
      const api = (method: string, path: string, body?: unknown) => httpApi(running.url, TEST_ADMIN_KEY, method, path, body);
      const {
        id: _id,
        version: _v,
        builtIn: _b,
        createdAt: _c,
        updatedAt: _u,
        updatedBy: _by,
        ...esp32
      } = (await api("GET", "/profiles/esp32-example")).body;
      assert.equal((await api("PUT", "/profiles/esp32-example", { ...esp32, name: "Our ESP32 boards" })).status, 200);
      assert.equal((await api("DELETE", "/profiles/sim-gps-tracker")).status, 204);
      await running.stop();

      running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
      const edited = (await api("GET", "/profiles/esp32-example")).body;
      assert.equal(edited.name, "Our ESP32 boards");
      assert.equal(edited.version, 2);
      assert.equal(edited.builtIn, true, "still the shipped one, edited");
      const back = (await api("GET", "/profiles/sim-gps-tracker")).body;
      assert.equal(back.version, 1);
      assert.equal(back.builtIn, true);
      await running.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
