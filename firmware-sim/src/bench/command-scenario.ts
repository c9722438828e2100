import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { percentilesOf, sendPingCommands } from "./command-sender.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";

export interface CommandRoundTripResult {
  devices: number;
  commands: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  succeeded: number;
}

/**
 * Command round trip with a connected fleet: `devices` real clients answer `ping`; the
 * benchmark sends `commands` commands, `concurrency` at a time, each to a random device,
 * through `POST /api/v1/devices/:id/commands?wait=…` — so one request covers API → store →
 * device → handler → result → final state visible through the API. Target p99 < 25 ms.
 */
export async function runCommandRoundTrip(devices: number, commands: number, concurrency = 4): Promise<CommandRoundTripResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "cmd-", devices);
    for (const { deviceId, token } of credentials) {
      const client = new TelehubClient({ url: hub.url, deviceId, token });
      client.onCommand("ping", (args) => ({ pong: args.n ?? null }));
      clients.push(client);
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    const sent = await sendPingCommands(
      hub,
      credentials.map((c) => c.deviceId),
      commands,
      concurrency,
    );
    return { devices, commands, ...percentilesOf(sent.apiMs), succeeded: sent.succeeded };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
