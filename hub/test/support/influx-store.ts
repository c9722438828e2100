import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { DEFAULT_CONFIG, type HubConfig } from "../../src/config/hub-config.js";
import { HubMetrics } from "../../src/metrics.js";
import { influxStoreMetrics } from "../../src/storage/influx/influx-store-metrics.js";
import { InfluxTelemetryStore } from "../../src/storage/influx/influx-telemetry-store.js";
import type { PrivateInfluxd } from "../../src/testing/influxd.js";

/** The hub's `influx` settings for a private influxd. */
export function influxSettings(influxd: PrivateInfluxd, overrides: Partial<HubConfig["influx"]> = {}): HubConfig["influx"] {
  return {
    ...DEFAULT_CONFIG.influx,
    url: influxd.url,
    database: influxd.database,
    flushIntervalMs: 10,
    maxRetryDelayMs: 500,
    ...overrides,
  };
}

/** `TELEHUB_*` variables that point a spawned hub at a private influxd. */
export function influxEnv(influxd: PrivateInfluxd): Record<string, string> {
  return {
    TELEHUB_STORAGE_TELEMETRY: "influxdb",
    TELEHUB_INFLUX_URL: influxd.url,
    TELEHUB_INFLUX_DATABASE: influxd.database,
    TELEHUB_INFLUX_FLUSH_INTERVAL_MS: "10",
    TELEHUB_INFLUX_MAX_RETRY_DELAY_MS: "500",
  };
}

/** An InfluxDB store with its spool in a fresh temp folder. */
export function openInfluxStore(
  influxd: PrivateInfluxd,
  overrides: Partial<HubConfig["influx"]> = {},
  dataDir = mkdtempSync(join(tmpdir(), "telehub-influx-store-")),
): { store: InfluxTelemetryStore; metrics: HubMetrics; dataDir: string; dispose: () => void } {
  const metrics = new HubMetrics();
  const store = new InfluxTelemetryStore({
    influx: influxSettings(influxd, overrides),
    dataDir,
    metrics: influxStoreMetrics(metrics),
    log: pino({ level: "silent" }),
  });
  return { store, metrics, dataDir, dispose: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Values stored in a private influxd (one device's or all), counted through a store of its own whose spool is empty. */
export async function influxValues(influxd: PrivateInfluxd, options: { deviceId?: string; database?: string } = {}): Promise<number> {
  const { store, dispose } = openInfluxStore(influxd, options.database === undefined ? {} : { database: options.database });
  try {
    return await store.countValues(options.deviceId);
  } finally {
    await store.close();
    dispose();
  }
}
