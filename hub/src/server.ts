#!/usr/bin/env node
import type { AddressInfo } from "node:net";
import { buildApp, type Hub } from "./app.js";
import type { HubConfig } from "./config/hub-config.js";
import { ConfigError, loadConfig } from "./config/load-config.js";
import { listeningDescription } from "./http/listen-address.js";

/** Start a hub from the environment (see docs/configuration.md) and stop it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: HubConfig;
  let hub: Hub;
  try {
    config = loadConfig();
    // buildApp refuses what only shows with the data folder: a secrets key meta.db does not belong with, unreadable TLS files.
    hub = await buildApp(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`telehub-hub: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const url = await hub.listen();
  const listening = listeningDescription(url, hub.http.server.address() as AddressInfo);
  hub.log.info({ url, listening, dataDir: config.dataDir, telemetry: hub.telemetry.kind }, "hub listening");
  // Also on stderr, plain, whatever the log level: for people, and for spawnHub() to find the
  // port (the first word after "on" is a URL that works from this machine, or the bound one).
  process.stderr.write(`telehub-hub listening on ${listening}\n`);
  if (hub.generatedAdminKey) {
    process.stdout.write(`\nTelehub admin API key (shown once, store it now):\n  ${hub.generatedAdminKey}\n\n`);
  }
  if (hub.generatedAdminPassword) {
    process.stdout.write(
      `\nTelehub admin password for user "admin" (shown once; log in and change it):\n  ${hub.generatedAdminPassword}\n\n`,
    );
  }
  const stop = async (signal: string): Promise<void> => {
    hub.log.info({ signal }, "shutting down");
    await hub.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

await main();
