import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildOptions, buildApp, type Hub } from "../../src/app.js";
import type { HubConfigInput } from "../../src/config/hub-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { generateSecret, hashSecret } from "../../src/security/secrets.js";

/** A real hub on 127.0.0.1 and a random port, with its databases in a fresh temp folder. */
export interface RunningHub {
  hub: Hub;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `ws://127.0.0.1:PORT` */
  wsUrl: string;
  dataDir: string;
  /** Register a device directly in the registry; returns its token. */
  provision(deviceId: string): Promise<string>;
  /** Stop the hub (graceful) but keep the data folder, e.g. to start it again. */
  stop(): Promise<void>;
  /** Stop the hub and delete the data folder. */
  dispose(): Promise<void>;
}

export async function startHub(
  overrides: HubConfigInput = {},
  dataDir = mkdtempSync(join(tmpdir(), "telehub-test-")),
  options: BuildOptions = {},
): Promise<RunningHub> {
  // Tests send fixed timestamps (1970, 2023) for reproducible data: the past side of the
  // timestamp window (ingest.maxPastMs) is off unless a test sets it.
  const ingest = { maxPastMs: 0, ...overrides.ingest };
  const config = loadConfig({}, { host: "127.0.0.1", port: 0, logLevel: "silent", ...overrides, ingest, dataDir });
  const hub = await buildApp(config, options);
  const url = await hub.listen();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await hub.close();
  };
  return {
    hub,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    dataDir,
    async provision(deviceId: string) {
      const token = generateSecret();
      await hub.devices.create({ id: deviceId, name: deviceId, tokenHash: hashSecret(token), labels: {}, at: Date.now() });
      return token;
    },
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
