import assert from "node:assert/strict";
import { loadavg } from "node:os";
import { test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import { type HubProcess, removeDataDir, spawnHub } from "../../src/process/spawn-hub.js";
import { createDevice } from "../support/create-device.js";
import { eventually } from "../support/eventually.js";
import { ChaosProxy } from "./support/chaos-proxy.js";
import { acked, closeFleet, connectFleet } from "./support/fleet.js";
import { type HealthProbe, startHealthProbe } from "./support/health-probe.js";
import { readMetrics, sample } from "./support/hub-metrics.js";
import { openFilesLimit } from "./support/open-files.js";

const WANTED = 1_000;

/** Devices this process can hold without raising `ulimit -n`: each takes a client socket and two proxy sockets. */
function fleetSize(): number {
  const limit = openFilesLimit() ?? 4_096;
  return Math.min(WANTED, Math.floor((limit - 256) / 3));
}

test("1,000 devices reconnecting at once: /healthz answers within 1 s throughout, and every device connects again", async (t) => {
  const devices = fleetSize();
  if (devices < WANTED) t.diagnostic(`!!! ulimit -n allows ${devices} devices here, not ${WANTED} !!!`);
  const hub: HubProcess = await spawnHub();
  const proxy = await ChaosProxy.start(hub.port);
  let clients: TelehubClient[] = [];
  let probe: HealthProbe | undefined;
  try {
    const ids = Array.from({ length: devices }, (_, i) => `storm-${i + 1}`);
    const tokens = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(ids.slice(i, i + 20).map(async (id) => tokens.set(id, await createDevice(hub.url, hub.adminKey, id))));
    }
    // The first storm: every device connects at once. /healthz is watched from here on.
    probe = startHealthProbe(`${hub.url}/healthz`);
    clients = await connectFleet(`ws://127.0.0.1:${proxy.port}`, "storm-", devices, async (id) => tokens.get(id) as string, {
      backoff: { initialMs: 50, maxMs: 1_000 },
      batchIntervalMs: 100,
    });
    for (const client of clients) client.send({ phase: 1 }, 1_700_000_000_000);
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const first = await probe.take();
    const lagFirst = sample(await readMetrics(hub.url, hub.adminKey), "telehub_nodejs_eventloop_lag_max_seconds");
    // The second: every connection is reset at the same instant, and all come back together.
    const reconnectsBefore = clients.reduce((sum, c) => sum + c.stats.reconnects, 0);
    assert.equal(proxy.kill(proxy.open), devices);
    await eventually(() => clients.every((c) => c.connected), "every device is connected again", 120_000);
    for (const client of clients) client.send({ phase: 2 }, 1_700_000_000_001);
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const second = await probe.stop();
    const metrics = await readMetrics(hub.url, hub.adminKey);
    const lagSecond = sample(metrics, "telehub_nodejs_eventloop_lag_max_seconds");
    const busy = sample(metrics, "telehub_rejected_total", 'code="TH_HUB_BUSY"');
    assert.equal(sample(metrics, "telehub_connected_devices"), devices);
    assert.equal(acked(clients), devices * 2, "every device's readings before and after were acknowledged");
    const reconnects = clients.reduce((sum, c) => sum + c.stats.reconnects, 0) - reconnectsBefore;
    const storms = [
      { storm: "first connection", report: first, hubLagMs: Math.round(lagFirst * 1000) },
      { storm: "reconnection", report: second, hubLagMs: Math.round(lagSecond * 1000) },
    ];
    for (const { storm, report, hubLagMs } of storms) {
      t.diagnostic(
        `${storm} of ${devices} devices: /healthz ${report.requests} requests, max ${report.maxLatencyMs} ms, mean ${report.meanLatencyMs} ms; ` +
          `hub event loop lag max ${hubLagMs} ms, probe's own timer lag max ${report.maxProbeLagMs} ms`,
      );
    }
    t.diagnostic(`${reconnects} reconnection attempts after the reset, ${busy} handshakes refused with TH_HUB_BUSY over both storms`);
    for (const { storm, report, hubLagMs } of storms) {
      assert.equal(report.failures, 0, `${storm}: every health request answered 200`);
      assert.ok(report.requests > 10, `${storm}: ${report.requests} health requests`);
      assert.ok(
        report.maxLatencyMs < 1_000,
        `${storm}: /healthz took up to ${report.maxLatencyMs} ms (hub event loop lag max ${hubLagMs} ms, probe timer lag max ${report.maxProbeLagMs} ms, load average ${loadavg()[0]?.toFixed(1)})`,
      );
    }
  } finally {
    await probe?.stop().catch(() => undefined);
    await closeFleet(clients);
    await proxy.close();
    await hub.kill();
    removeDataDir(hub);
  }
});
