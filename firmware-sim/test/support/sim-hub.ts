import { statSync } from "node:fs";
import { join } from "node:path";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import Database from "better-sqlite3";
import { type CliResult, runCli } from "./run-cli.js";

/** A hub in a child process plus a scratch folder for credentials files. */
export interface SimHub {
  hub: HubProcess;
  /** `telehub-sim provision` of `count` devices `${prefix}1 …` into `${dataDir}/${prefix}creds.json`; returns the file. */
  provision(prefix: string, count: number): Promise<string>;
  /** `telehub-sim run` against this hub with the admin key in TELEHUB_API_KEY. */
  run(args: string[]): Promise<CliResult>;
  /** Prometheus text from `/metrics`. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** `env`: `TELEHUB_*` settings for the hub. */
export async function startSimHub(env: Record<string, string> = {}): Promise<SimHub> {
  const hub = await spawnHub({ env });
  const cliEnv = { TELEHUB_API_KEY: hub.adminKey };
  return {
    hub,
    async provision(prefix, count) {
      const file = join(hub.dataDir, `${prefix}creds.json`);
      const result = await runCli(["provision", "--count", String(count), "--prefix", prefix, "--hub", hub.url, "--out", file], {
        env: cliEnv,
      });
      if (result.code !== 0 || !statSync(file).isFile()) throw new Error(`provision failed: ${result.stderr}`);
      return file;
    },
    run: (args) => runCli(["run", ...args], { env: cliEnv }),
    metrics: () => fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.adminKey}` } }).then((r) => r.text()),
    async stop() {
      await hub.stop();
      removeDataDir(hub);
    },
  };
}

/**
 * Delete one stored reading's `metric` value straight from the hub's embedded telemetry
 * database (there is deliberately no HTTP route for it): from `readings` and from the
 * `reading_log` it may still wait in. Returns the rows deleted.
 */
export function deleteStoredValue(hub: HubProcess, deviceId: string, metric: string, value: number): number {
  const db = new Database(join(hub.dataDir, "telemetry.db"));
  try {
    db.pragma("busy_timeout = 5000");
    const series = "(SELECT id FROM series WHERE device_id = ? AND metric = ?)";
    return db.transaction(
      () =>
        db.prepare(`DELETE FROM readings WHERE series_id = ${series} AND value = ?`).run(deviceId, metric, value).changes +
        db.prepare(`DELETE FROM reading_log WHERE series_id = ${series} AND value = ?`).run(deviceId, metric, value).changes,
    )();
  } finally {
    db.close();
  }
}
