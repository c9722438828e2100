import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import WebSocket from "ws";
import { provisionDevices } from "../hub-api.js";
import { startCountingServer } from "./counting-server-process.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { rssBytes } from "./process-stats.js";

/** Memory a server process gains per idle connection. */
export interface ConnectionsResult {
  connections: number;
  bytesPerConnection: number;
  /** Resident memory with everything connected. */
  rssBytes: number;
}

const WAVE = 250;
/** Time for the server to finish allocating (and collecting) before its RSS is read. */
const SETTLE_MS = 2_000;

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The baseline: `count` idle sockets to a bare `ws` server (no protocol, no state). */
export async function measureBareConnections(count: number, settleMs = SETTLE_MS): Promise<ConnectionsResult> {
  const server = await startCountingServer();
  const sockets: WebSocket[] = [];
  try {
    await settle(settleMs);
    const before = rssBytes(server.pid);
    for (let i = 0; i < count; i += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, count - i) }, () => new WebSocket(server.url, { perMessageDeflate: false }));
      sockets.push(...wave);
      await Promise.all(wave.map((ws) => new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject))));
    }
    await settle(settleMs);
    const after = rssBytes(server.pid);
    return { connections: count, bytesPerConnection: (after - before) / count, rssBytes: after };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

/** The hub: `count` real clients connected (hello → welcome) and idle, heartbeats running. */
export async function measureHubConnections(count: number, settleMs = SETTLE_MS): Promise<ConnectionsResult> {
  const hub = await spawnHub({ env: { ...BENCH_HUB_ENV, TELEHUB_GATEWAY_MAX_DEVICES: String(count + 100) } });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "idle-", count);
    await settle(settleMs);
    const before = rssBytes(hub.pid);
    for (let i = 0; i < credentials.length; i += WAVE) {
      const wave = credentials.slice(i, i + WAVE).map(({ deviceId, token }) => new TelehubClient({ url: hub.url, deviceId, token }));
      clients.push(...wave);
      await Promise.all(wave.map((c) => c.connect()));
    }
    await settle(settleMs);
    const after = rssBytes(hub.pid);
    const connected = clients.filter((c) => c.connected).length;
    return { connections: connected, bytesPerConnection: (after - before) / connected, rssBytes: after };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false, timeoutMs: 1_000 })));
    await hub.stop();
    removeDataDir(hub);
  }
}
