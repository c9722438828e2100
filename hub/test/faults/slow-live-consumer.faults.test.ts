import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import WebSocket from "ws";
import { type HubProcess, removeDataDir, spawnHub } from "../../src/process/spawn-hub.js";
import { SqliteTelemetryStore } from "../../src/storage/sqlite/sqlite-telemetry-store.js";
import { createDevice } from "../support/create-device.js";
import { acked, closeFleet, connectFleet, sleep } from "./support/fleet.js";
import { readMetrics, sample } from "./support/hub-metrics.js";
import { scaled } from "./support/scale.js";
import { openStalledLiveClient, openStalledSseClient } from "./support/stalled-live-client.js";

const MAX_BUFFERED = 1_048_576; // live.maxBufferedBytes, the default
const METRICS = 20;

/** Every client sends a reading of METRICS text values of 200 characters every `everyMs`; answers how many readings were sent. */
function streamText(clients: readonly TelehubClient[], everyMs: number): { stop: () => void; sent: () => number } {
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const client of clients) {
      const reading: Record<string, string> = {};
      for (let m = 0; m < METRICS; m++) reading[`text${m}`] = `${tick}:${m}:`.padEnd(200, "x");
      client.send(reading, 1_700_000_000_000 + tick * 10);
    }
  }, everyMs);
  return { stop: () => clearInterval(timer), sent: () => tick * clients.length };
}

test("live consumers (WebSocket and SSE) that never read: the hub's live buffers stay under live.maxBufferedBytes and its memory bounded while telemetry flows", async (t) => {
  const hub: HubProcess = await spawnHub();
  let clients: TelehubClient[] = [];
  const stalled = [];
  let watcher: WebSocket | undefined;
  try {
    clients = await connectFleet(hub.url, "live-", scaled(10), (id) => createDevice(hub.url, hub.adminKey, id), { maxBatchReadings: 5 });
    // Two WebSocket consumers and one SSE stream, all subscribed to every device's telemetry.
    for (let i = 0; i < 2; i++) stalled.push(await openStalledLiveClient(hub.port, hub.adminKey, ["telemetry:*"]));
    stalled.push(await openStalledSseClient(hub.port, hub.adminKey, ["telemetry:*"]));
    // A healthy dashboard alongside: it must keep getting updates.
    let watcherUpdates = 0;
    watcher = new WebSocket(`${hub.url.replace("http", "ws")}/v1/live`, ["telehub.live.v1"], {
      headers: { authorization: `Bearer ${hub.adminKey}` },
    });
    watcher.on("message", (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === "update") watcherUpdates++;
    });
    await new Promise((resolve) => watcher?.once("open", resolve));
    watcher.send(JSON.stringify({ type: "subscribe", topics: ["telemetry:*"] }));

    const load = streamText(clients, 50);
    await sleep(2_000);
    const rssAtStart = sample(await readMetrics(hub.url, hub.adminKey), "telehub_process_resident_memory_bytes");
    let maxBuffered = 0;
    let maxRss = rssAtStart;
    let maxPending = 0;
    for (let i = 0; i < 20 * scaled(1); i++) {
      await sleep(500);
      const metrics = await readMetrics(hub.url, hub.adminKey);
      maxBuffered = Math.max(maxBuffered, sample(metrics, "telehub_live_buffered_bytes"));
      maxPending = Math.max(maxPending, sample(metrics, "telehub_live_pending_entries"));
      maxRss = Math.max(maxRss, sample(metrics, "telehub_process_resident_memory_bytes"));
    }
    const updatesBefore = watcherUpdates;
    await sleep(1_000);
    assert.ok(watcherUpdates > updatesBefore, "the healthy dashboard still gets updates");
    load.stop();
    await Promise.all(clients.map((c) => c.flush(60_000)));
    const sent = load.sent();
    assert.equal(acked(clients), sent, "telemetry kept being acknowledged");
    const metrics = await readMetrics(hub.url, hub.adminKey);
    const coalesced = sample(metrics, "telehub_live_coalesced_total");
    assert.ok(coalesced > 0, "the stalled consumers' telemetry was coalesced, not queued");
    assert.ok(maxBuffered > 0, "the hub did see the consumers back up");
    // Three stalled connections, each cut off once past the bound, plus at most one update each beyond it.
    const bound = 3 * (MAX_BUFFERED + clients.length * METRICS * 300);
    assert.ok(maxBuffered <= bound, `live buffers ${maxBuffered} bytes, bound ${bound}`);
    assert.ok(
      maxPending <= 4 * clients.length * METRICS + 100,
      `pending entries ${maxPending}: at most one per metric, device and connection`,
    );
    const rssGrowth = maxRss - rssAtStart;
    assert.ok(rssGrowth < 128 * 1_048_576, `hub RSS grew ${Math.round(rssGrowth / 1_048_576)} MB`);
    await hub.stop();
    const store = new SqliteTelemetryStore(join(hub.dataDir, "telemetry.db"));
    try {
      assert.equal(await store.countValues(), sent * METRICS, "every reading was stored");
    } finally {
      await store.close();
    }
    t.diagnostic(
      `${clients.length} devices, ${sent} readings (${Math.round((sent * METRICS * 200) / 1_048_576)} MB of text) while 3 live consumers (2 WebSocket, 1 SSE) stalled: ` +
        `max live buffered ${maxBuffered} bytes, max pending entries ${maxPending}, ${coalesced} values coalesced, ` +
        `RSS ${Math.round(rssAtStart / 1_048_576)} → max ${Math.round(maxRss / 1_048_576)} MB, healthy dashboard got ${watcherUpdates} updates`,
    );
  } finally {
    watcher?.terminate();
    for (const socket of stalled) socket.destroy();
    await closeFleet(clients);
    await hub.kill();
    removeDataDir(hub);
  }
});
