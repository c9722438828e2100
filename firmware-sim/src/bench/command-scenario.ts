import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";

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
    const latencies: number[] = [];
    let succeeded = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < commands) {
        const n = next++;
        const deviceId = (credentials[Math.floor(Math.random() * credentials.length)] as { deviceId: string }).deviceId;
        const started = performance.now();
        const response = await fetch(`${hub.url}/api/v1/devices/${deviceId}/commands?wait=5000`, {
          method: "POST",
          headers: { authorization: `Bearer ${hub.adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "ping", args: { n } }),
        });
        const command = (await response.json()) as { state?: string };
        latencies.push(performance.now() - started);
        if (command.state === "succeeded") succeeded++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return {
      devices,
      commands,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      succeeded,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
