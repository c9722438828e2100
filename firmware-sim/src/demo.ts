#!/usr/bin/env node
/**
 * `npm start`: a hub on the embedded store with a handful of simulated devices streaming
 * through the real Node device client. Prints the URL and the admin key.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { TelehubClient } from "@telehub/device-client";
import { buildApp, ConfigError, type Hub, listeningDescription, listensOnAllInterfaces, loadConfig } from "@telehub/hub";
import { generateSecret, hashSecret } from "@telehub/hub/secrets";
import { demoBanner } from "./demo-banner.js";
import { deviceRandom } from "./profiles/random.js";
import { thermostat } from "./profiles/thermostat.js";

const DEVICE_COUNT = Number(process.env.TELEHUB_DEMO_DEVICES ?? 5);
const INTERVAL_MS = Number(process.env.TELEHUB_DEMO_INTERVAL_MS ?? 1_000);

/**
 * A first-start secret to show: generated now (saved, readable by this user only, for the next
 * demo start), saved earlier, or unknown.
 */
function secretToShow(generated: string | undefined, file: string): string | undefined {
  if (generated) {
    writeFileSync(file, `${generated}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return generated;
  }
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  return undefined;
}

/** Create the demo devices, or give existing ones a fresh token (tokens are stored hashed). */
async function demoCredentials(hub: Hub): Promise<{ deviceId: string; token: string }[]> {
  const credentials = [];
  for (let i = 1; i <= DEVICE_COUNT; i++) {
    const deviceId = `demo-${i}`;
    const token = generateSecret();
    const now = Date.now();
    if (await hub.devices.get(deviceId)) await hub.devices.setTokenHash(deviceId, hashSecret(token), now);
    else
      await hub.devices.create({
        id: deviceId,
        name: `Demo thermostat ${i}`,
        tokenHash: hashSecret(token),
        labels: { demo: "true" },
        at: now,
      });
    credentials.push({ deviceId, token });
  }
  return credentials;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let hub: Hub;
  try {
    // The hub's JSON logs would bury the banner: warnings only, unless asked otherwise. A demo
    // (with its admin key in a file) is for this machine: 127.0.0.1 unless TELEHUB_HOST says otherwise.
    config = loadConfig({ TELEHUB_HOST: "127.0.0.1", ...process.env }, process.env.TELEHUB_LOG_LEVEL ? {} : { logLevel: "warn" });
    // Some refusals show only once the data folder is opened (a secrets key meta.db does not belong with).
    hub = await buildApp(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`telehub: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  let url: string;
  try {
    url = await hub.listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      console.error(`telehub: port ${config.port} is in use. Start on another one, e.g. TELEHUB_PORT=8081 npm start`);
      await hub.close();
      process.exit(1);
    }
    throw error;
  }
  const adminKey = secretToShow(hub.generatedAdminKey, join(config.dataDir, "demo-admin-key.txt"));
  const adminPassword = secretToShow(hub.generatedAdminPassword, join(config.dataDir, "demo-admin-password.txt"));
  const clients = (await demoCredentials(hub)).map(
    ({ deviceId, token }) =>
      new TelehubClient({
        url,
        deviceId,
        token,
        firmware: "demo-1.0.0",
        model: thermostat.model,
        // Reported in hello.cmds; the model also gives the device the sim-thermostat profile.
        commands: thermostat.commands ?? [],
      }),
  );
  const models = clients.map((_, i) => thermostat.create(deviceRandom(Date.now(), i), i));
  clients.forEach((client, i) => {
    // The demo thermostats obey `set_setpoint {setpoint: °C}` (see the README).
    client.onCommand("set_setpoint", (args) => models[i]?.applyCommand?.("set_setpoint", args) ?? null);
  });
  await Promise.all(clients.map((client) => client.connect()));
  const timer = setInterval(() => {
    const now = Date.now();
    clients.forEach((client, i) => {
      client.send(models[i]?.next(now) ?? {}, now);
    });
  }, INTERVAL_MS);

  const address = hub.http.server.address() as AddressInfo;
  process.stdout.write(
    demoBanner({
      url,
      listening: listeningDescription(url, address),
      allInterfaces: listensOnAllInterfaces(address),
      adminKey,
      adminPassword,
      devices: clients.length,
      intervalMs: INTERVAL_MS,
      dataDir: config.dataDir,
    }),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await Promise.all(clients.map((client) => client.close({ flush: true, timeoutMs: 3_000 })));
    await hub.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

await main();
