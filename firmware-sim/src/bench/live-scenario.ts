import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import WebSocket from "ws";
import { provisionDevices } from "../hub-api.js";
import { hiResNow } from "./hi-res-clock.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { percentile } from "./percentiles.js";
import { everySecond } from "./steady-schedule.js";

/** Device → live subscriber latency. */
export interface LiveLatencyResult {
  devices: number;
  received: number;
  sent: number;
  p50Ms: number;
  p99Ms: number;
}

interface LiveUpdate {
  type: string;
  telemetry?: { deviceId: string; metric: string; ts: number; value: unknown }[];
}

/**
 * `devices` real clients send one single-reading batch a second each (phases spread) for
 * `seconds`; one dashboard client on the live WebSocket (`/v1/live`, `telemetry:*`) times each
 * reading from its send (a sub-millisecond time carried as the reading's value, same process
 * clock) to its arrival.
 */
export async function measureLiveLatency(devices: number, seconds: number): Promise<LiveLatencyResult> {
  const hub = await spawnHub({ env: BENCH_HUB_ENV });
  const clients: TelehubClient[] = [];
  let live: WebSocket | undefined;
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "live-", devices);
    for (const { deviceId, token } of credentials) {
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: 1, batchIntervalMs: 1_000 }));
    }
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    const socket = new WebSocket(`${hub.url.replace(/^http/, "ws")}/v1/live`, ["telehub.live.v1"], {
      headers: { authorization: `Bearer ${hub.adminKey}` },
    });
    live = socket;
    const latencies: number[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("open", () => socket.send(JSON.stringify({ type: "subscribe", topics: ["telemetry:*"] })));
      socket.on("message", (data: Buffer) => {
        const now = hiResNow();
        const message = JSON.parse(data.toString()) as LiveUpdate;
        if (message.type === "subscribed") resolve();
        for (const point of message.telemetry ?? []) if (point.metric === "sentAt") latencies.push(now - (point.value as number));
      });
    });
    let sent = 0;
    await everySecond(devices, seconds, (d) => {
      sent++;
      (clients[d] as TelehubClient).send({ sentAt: hiResNow() }, Date.now());
    });
    await Promise.all(clients.map((c) => c.flush(30_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { devices, received: latencies.length, sent, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    live?.terminate();
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
  }
}
