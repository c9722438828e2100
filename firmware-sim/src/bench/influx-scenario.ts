import { TelehubClient } from "@telehub/device-client";
import { encodeBatch } from "@telehub/hub/influx-line-protocol";
import { startInfluxd } from "@telehub/hub/influxd";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { hubMetrics, metricValue } from "./hub-metrics.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import { sampleReading } from "./sample-reading.js";

export interface InfluxIngestResult {
  /** `X-Influxdb-Version` of the private influxd. */
  influxdVersion: string;
  /** Readings in each run (devices × batches × readings per batch). */
  readings: number;
  /** The same readings as line protocol straight to `/write`, 5,000 per request, one request at a time. */
  baselineReadingsPerSecond: number;
  /** Readings the hub acknowledged per second (durable: in the spool or in InfluxDB), from first send to last ack. */
  hubReadingsPerSecond: number;
  /** From first send until InfluxDB holds every reading. */
  hubIntoInfluxReadingsPerSecond: number;
  /** `hubReadingsPerSecond / baselineReadingsPerSecond`. */
  ratio: number;
  /** Readings per second the spool drained into InfluxDB after an outage during which the same number of readings were acknowledged. */
  drainReadingsPerSecond: number;
}

const BASELINE_BATCH = 5_000;
const MEASUREMENT = "telemetry";

/** Every reading of one device's run, as the hub would store it. */
function deviceReadings(device: number, count: number, offset: number) {
  return Array.from({ length: count }, (_, i) => {
    const reading = sampleReading(device, offset + i);
    return { ts: reading.ts as number, metrics: reading.m };
  });
}

async function countIn(url: string, database: string): Promise<number> {
  const response = await fetch(`${url}/query`, {
    method: "POST",
    body: new URLSearchParams({ db: database, q: `SELECT count("temperature") FROM "${MEASUREMENT}"` }),
  });
  const body = (await response.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Wait until the hub's spool is empty (its metric; counting in InfluxDB meanwhile would load it), then check InfluxDB's count. */
async function waitForDrain(hub: HubProcess, influxUrl: string, database: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (metricValue(await hubMetrics(hub), "telehub_influx_spool_batches") === 0) break;
    if (Date.now() > deadline) throw new Error(`the hub's spool did not drain within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const stored = await countIn(influxUrl, database);
  if (stored !== expected) throw new Error(`InfluxDB holds ${stored} readings, expected ${expected}`);
}

async function createDatabase(url: string, database: string): Promise<void> {
  const response = await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }) });
  if (!response.ok) throw new Error(`CREATE DATABASE ${database}: HTTP ${response.status}`);
}

/** The baseline: pre-encoded line protocol, written in requests of 5,000 lines; answers readings per second. */
async function writeDirectly(url: string, database: string, devices: number, perDevice: number): Promise<number> {
  const lines: string[] = [];
  for (let d = 0; d < devices; d++) {
    const batch = { deviceId: `bench-${d + 1}`, seq: 1, receivedAt: Date.now(), readings: deviceReadings(d, perDevice, 0) };
    for (const line of encodeBatch(batch, MEASUREMENT, "ms")) lines.push(line);
  }
  const startedAt = performance.now();
  for (let at = 0; at < lines.length; at += BASELINE_BATCH) {
    const response = await fetch(`${url}/write?db=${database}&precision=ms`, {
      method: "POST",
      body: lines.slice(at, at + BASELINE_BATCH).join("\n"),
    });
    if (response.status !== 204) throw new Error(`baseline write: HTTP ${response.status} ${await response.text()}`);
  }
  // Readings, not lines: a reading with numbers and a boolean is two lines (a measurement per value type).
  return (devices * perDevice) / ((performance.now() - startedAt) / 1000);
}

/** Each client sends its readings `offset …` as fast as its in-flight window allows; resolves when all are acknowledged. */
async function sendAll(clients: TelehubClient[], batchesPerDevice: number, readingsPerBatch: number, offset: number): Promise<void> {
  await Promise.all(
    clients.map(async (client, d) => {
      for (let b = 0; b < batchesPerDevice; b++) {
        for (const reading of deviceReadings(d, readingsPerBatch, offset + b * readingsPerBatch)) client.send(reading.metrics, reading.ts);
        if (b % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
      }
      await client.flush(600_000);
    }),
  );
}

/**
 * The InfluxDB path against its baseline, on one private influxd: (1) the readings written
 * straight to it as line protocol, 5,000 per request; (2) the same readings through a hub (own
 * process, `storage.telemetry=influxdb`) from `devices` real clients; (3) with influxd stopped,
 * as many readings again acknowledged into the spool, then influxd started and the drain timed.
 */
export async function runInfluxIngest(devices = 50, batchesPerDevice = 100, readingsPerBatch = 100): Promise<InfluxIngestResult> {
  const influxd = await startInfluxd({ database: "bench_baseline" });
  let hub: HubProcess | undefined;
  const clients: TelehubClient[] = [];
  try {
    const perDevice = batchesPerDevice * readingsPerBatch;
    const readings = devices * perDevice;
    const baselineReadingsPerSecond = await writeDirectly(influxd.url, influxd.database, devices, perDevice);

    await createDatabase(influxd.url, "bench_hub");
    hub = await spawnHub({
      env: {
        ...BENCH_HUB_ENV,
        TELEHUB_STORAGE_TELEMETRY: "influxdb",
        TELEHUB_INFLUX_URL: influxd.url,
        TELEHUB_INFLUX_DATABASE: "bench_hub",
        TELEHUB_INFLUX_MAX_RETRY_DELAY_MS: "200",
      },
    });
    const credentials = await provisionDevices(hub.url, hub.adminKey, "bench-", devices);
    for (const { deviceId, token } of credentials)
      clients.push(new TelehubClient({ url: hub.url, deviceId, token, maxBatchReadings: readingsPerBatch, batchIntervalMs: 60_000 }));
    await Promise.all(clients.map((c) => c.connect()));

    const startedAt = performance.now();
    await sendAll(clients, batchesPerDevice, readingsPerBatch, 0);
    const ackedSeconds = (performance.now() - startedAt) / 1000;
    await waitForDrain(hub, influxd.url, "bench_hub", readings, 300_000);
    const intoInfluxSeconds = (performance.now() - startedAt) / 1000;

    await influxd.stop();
    await sendAll(clients, batchesPerDevice, readingsPerBatch, perDevice);
    const drainStartedAt = performance.now();
    await influxd.start();
    await waitForDrain(hub, influxd.url, "bench_hub", 2 * readings, 300_000);
    const drainSeconds = (performance.now() - drainStartedAt) / 1000;

    const hubReadingsPerSecond = readings / ackedSeconds;
    return {
      influxdVersion: influxd.version,
      readings,
      baselineReadingsPerSecond,
      hubReadingsPerSecond,
      hubIntoInfluxReadingsPerSecond: readings / intoInfluxSeconds,
      ratio: hubReadingsPerSecond / baselineReadingsPerSecond,
      drainReadingsPerSecond: readings / drainSeconds,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    if (hub) {
      await hub.stop();
      removeDataDir(hub);
    }
    await influxd.remove();
  }
}
