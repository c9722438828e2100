import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TelehubClient } from "@telehub/device-client";
import { configKeys, envNameOf } from "../src/config/load-config.js";
import { generateSecret, hashSecret } from "../src/security/secrets.js";
import { freePort } from "../src/testing/influxd.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { HAPROXY, haproxyConfig, PRODUCTION_HAPROXY, type PrivateHaproxy, requireHaproxy, startHaproxy } from "./support/haproxy.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

// Issue #21: HAProxy in front of the hubs, one port for HTTP and WebSocket. The shipped
// deploy/haproxy/haproxy.cfg is the one the tests run, with production parameters.

const SHIPPED = fileURLToPath(new URL("../../../deploy/haproxy/haproxy.cfg", import.meta.url));
const COMPOSE = readFileSync(fileURLToPath(new URL("../../../docker-compose.yml", import.meta.url)), "utf8");

test("deploy/haproxy/haproxy.cfg is haproxyConfig(PRODUCTION_HAPROXY) (regenerate it from there when this fails)", () => {
  assert.equal(readFileSync(SHIPPED, "utf8"), haproxyConfig(PRODUCTION_HAPROXY));
});

test("docker-compose.yml: every TELEHUB_ variable is a hub setting; the cluster profile has the hubs the shipped configuration names", () => {
  // No Docker engine here: what can be checked without one. The sim service's TELEHUB_API_KEY is the simulator's own.
  const settings = new Set([...configKeys().map(({ path }) => envNameOf(path)), "TELEHUB_API_KEY"]);
  const variables = [...COMPOSE.matchAll(/^\s+(TELEHUB_[A-Z0-9_]+):/gm)].map((match) => match[1]);
  assert.ok(variables.includes("TELEHUB_CLUSTER_POSTGRES_URL"));
  assert.deepEqual(
    variables.filter((name) => !settings.has(name as string)),
    [],
  );
  for (const backend of PRODUCTION_HAPROXY.backends) {
    assert.match(COMPOSE, new RegExp(`^  ${backend.host}:\\n(    .*\\n|\\n)*?      TELEHUB_CLUSTER_INSTANCE_ID: ${backend.name}$`, "m"));
  }
  assert.match(COMPOSE, /- \.\/deploy\/haproxy\/haproxy\.cfg:\/usr\/local\/etc\/haproxy\/haproxy\.cfg:ro/);
});

test("HAProxy accepts the shipped configuration (haproxy -c)", { skip: requireHaproxy() }, () => {
  // Exit status 0: valid. The hub names (hub1…) do not resolve here: warnings only (init-addr none).
  execFileSync(HAPROXY, ["-c", "-f", SHIPPED], { stdio: "pipe" });
});

describe("HAProxy in front of a hub", { skip: requireHaproxy() }, () => {
  let running: RunningHub;
  let proxy: PrivateHaproxy;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { trustProxy: "127.0.0.1" } });
    proxy = await startHaproxy({ backends: [{ name: "hub1", host: "127.0.0.1", port: Number(new URL(running.url).port) }] });
  });
  after(async () => {
    await proxy?.stop();
    await running?.dispose();
  });

  test("health-checks /readyz: the hub is up; the API answers through the frontend", async () => {
    await eventually(async () => (await proxy.servers()).some((s) => s.name === "hub1" && s.status === "UP"), "hub1 is UP", 10_000);
    const ready = await fetch(`${proxy.url}/readyz`);
    assert.equal(ready.status, 200);
    const devices = await fetch(`${proxy.url}/api/v1/devices`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    assert.equal(devices.status, 200);
  });

  for (const transport of ["ws", "http"] as const) {
    test(`a device streams over ${transport} through the one frontend port; every reading is acknowledged and stored`, async () => {
      const deviceId = `through-haproxy-${transport}`;
      const token = await running.provision(deviceId);
      const device = new TelehubClient({
        url: proxy.url,
        deviceId,
        token,
        transports: [transport],
        backoff: { initialMs: 20, maxMs: 200 },
      });
      try {
        await device.connect();
        assert.equal(device.transport, transport);
        for (let i = 0; i < 50; i++) device.send({ n: i }, 1_700_000_000_000 + i);
        await device.flush();
        assert.equal(await running.hub.telemetry.countValues(deviceId), 50);
      } finally {
        await device.close({ flush: false });
      }
    });
  }
});

describe("HAProxy retries a failed connection on another hub", { skip: requireHaproxy() }, () => {
  let running: RunningHub;
  let proxy: PrivateHaproxy;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
    // No health checks: the dead server counts as up, so only `retry-on conn-failure` with
    // `option redispatch 1` keeps the requests it is given from failing.
    proxy = await startHaproxy({
      check: false,
      backends: [
        { name: "dead", host: "127.0.0.1", port: await freePort() },
        { name: "hub1", host: "127.0.0.1", port: Number(new URL(running.url).port) },
      ],
    });
  });
  after(async () => {
    await proxy?.stop();
    await running?.dispose();
  });

  test("every request is answered by the live hub, though the dead one was tried", async () => {
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${proxy.url}/healthz`, { headers: { connection: "close" } });
      assert.equal(response.status, 200);
    }
    const dead = (await proxy.servers()).find((s) => s.name === "dead");
    assert.ok(dead && dead.totalSessions > 0, `the dead server was never tried: ${JSON.stringify(dead)}`);
  });
});

describe("HAProxy keeps an HTTP transport session on its hub", { skip: requireHaproxy() }, () => {
  const hubs: RunningHub[] = [];
  let proxy: PrivateHaproxy;

  before(async () => {
    hubs.push(await startHub(), await startHub());
    proxy = await startHaproxy({
      backends: hubs.map((running, i) => ({ name: `hub${i}`, host: "127.0.0.1", port: Number(new URL(running.url).port) })),
    });
    await eventually(async () => (await proxy.servers()).every((s) => s.status === "UP"), "both hubs are UP", 10_000);
  });
  after(async () => {
    await proxy?.stop();
    for (const running of hubs) await running.dispose();
  });

  test("each request of the session reaches the hub that answered its hello: one session, every reading stored there", async () => {
    // Without the stick rules every request is balanced anew: most name a session the other hub
    // does not know (404 TH_SESSION_UNKNOWN) and the device says hello again and again.
    const token = generateSecret();
    for (const running of hubs) {
      await running.hub.devices.create({ id: "sticky", name: "sticky", tokenHash: hashSecret(token), labels: {}, at: Date.now() });
    }
    const device = new TelehubClient({
      url: proxy.url,
      deviceId: "sticky",
      token,
      transports: ["http"],
      backoff: { initialMs: 20, maxMs: 200 },
    });
    let sessions = 0;
    device.on("connected", () => sessions++);
    try {
      await device.connect();
      for (let i = 0; i < 30; i++) {
        device.send({ n: i }, 1_700_000_000_000 + i);
        await device.flush();
      }
      assert.equal(sessions, 1);
      const stored = await Promise.all(hubs.map((running) => running.hub.telemetry.countValues("sticky")));
      assert.deepEqual([...stored].sort(), [0, 30]);
    } finally {
      await device.close({ flush: false });
    }
  });
});
