import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";

/** Round trips (ms) of the command path and of a plain API read, at the same concurrency. */
export interface CommandRoundTripResult {
  commands: number;
  succeeded: number;
  p50Ms: number;
  p99Ms: number;
  /** Baseline: `GET /api/v1/devices/:id` round trips on the same hub. */
  apiReadP50Ms: number;
  apiReadP99Ms: number;
}

/**
 * `devices` connected clients answer a `ping` command. One operator per device sends
 * `perDevice` commands one after the other with `POST …/commands?wait=`, timing each from the
 * request to the answer in state `succeeded` (stored, sent, acknowledged, run, result stored).
 */
export async function measureCommandRoundTrip(devices: number, perDevice: number): Promise<CommandRoundTripResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "cmd-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token }).onCommand("ping", () => ({ pong: true })));
    }
    await Promise.all(clients.map((c) => c.connect()));
    const headers = { authorization: `Bearer ${hub.adminKey}`, "content-type": "application/json" };
    const timed = async (request: () => Promise<boolean>): Promise<number | undefined> => {
      const startedAt = performance.now();
      return (await request()) ? performance.now() - startedAt : undefined;
    };
    const perOperator = (request: (deviceId: string) => Promise<boolean>): Promise<(number | undefined)[]> =>
      Promise.all(
        credentials.map(async ({ deviceId }) => {
          const times: (number | undefined)[] = [];
          for (let i = 0; i < perDevice; i++) times.push(await timed(() => request(deviceId)));
          return times;
        }),
      ).then((all) => all.flat());
    const commandTimes = await perOperator(async (deviceId) => {
      const response = await fetch(`${hub.url}/api/v1/devices/${deviceId}/commands?wait=10000`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "ping", args: {} }),
      });
      return ((await response.json()) as { state?: string }).state === "succeeded";
    });
    const readTimes = await perOperator(async (deviceId) => {
      const response = await fetch(`${hub.url}/api/v1/devices/${deviceId}`, { headers });
      await response.arrayBuffer();
      return response.ok;
    });
    const ok = commandTimes.filter((t): t is number => t !== undefined);
    const reads = readTimes.filter((t): t is number => t !== undefined);
    return {
      commands: commandTimes.length,
      succeeded: ok.length,
      p50Ms: percentile(ok, 50),
      p99Ms: percentile(ok, 99),
      apiReadP50Ms: percentile(reads, 50),
      apiReadP99Ms: percentile(reads, 99),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
