/** What the demo's banner shows. */
export interface DemoBannerFacts {
  /** The hub's base URL, `http://127.0.0.1:8080`. */
  url: string;
  /** Where it really listens (`listeningDescription`): `http://127.0.0.1:8080 (this machine only)`. */
  listening: string;
  /** It listens on every interface (other machines can connect). */
  allInterfaces: boolean;
  /** The admin API key; undefined when one existed before and this process does not know it. */
  adminKey: string | undefined;
  /** The password of the first admin user (`admin`); undefined when it existed before and this process does not know it. */
  adminPassword: string | undefined;
  devices: number;
  intervalMs: number;
  dataDir: string;
}

/**
 * The banner `npm start` prints: where the hub is and how to log in, then a tour of the first
 * five minutes (the API with the commands to paste, a command to a demo device, your own device
 * with the Node example, the simulator, the ESP32 and Pi guides). Every docs path it names
 * exists (a test checks).
 */
export function demoBanner(f: DemoBannerFacts): string {
  const key = f.adminKey ?? "<your admin key>";
  const keyLine = f.adminKey ?? "(an admin key already existed: use the one printed when it was created, or set TELEHUB_ADMIN_KEY)";
  return [
    "",
    `Telehub is running at ${f.url}`,
    `  listening on ${f.listening}`,
    f.allInterfaces
      ? "  reachable from other machines on your networks (TELEHUB_HOST); without it npm start listens on 127.0.0.1 only"
      : "  other machines cannot reach it: for a Pi or an ESP32 on your network, start with TELEHUB_HOST=0.0.0.0 npm start",
    `  dashboard: ${f.url}/  (log in as admin with the password below, or with the admin API key)`,
    `  admin password: ${f.adminPassword ?? "(the admin user already existed: use the password printed when it was created, or set TELEHUB_ADMIN_PASSWORD on a fresh data folder)"}`,
    `  admin API key: ${keyLine}`,
    `  ${f.devices} simulated thermostats (demo-1 … demo-${f.devices}) send a reading every ${f.intervalMs} ms`,
    `  data: ${f.dataDir} (embedded SQLite)`,
    "",
    "What to try next, in another shell in this folder:",
    "",
    "  1. The API (all of it: docs/api.md):",
    `     export HUB=${f.url} KEY=${key}`,
    `     curl -H "Authorization: Bearer $KEY" $HUB/api/v1/devices`,
    `     curl -H "Authorization: Bearer $KEY" $HUB/api/v1/devices/demo-1/latest`,
    "  2. Send a command: demo-1 sets its thermostat to 23 °C and answers (watch it on the dashboard):",
    `     curl -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"name":"set_setpoint","args":{"setpoint":23}}' "$HUB/api/v1/devices/demo-1/commands?wait=5000"`,
    "  3. Your own device: create it (the answer holds its token, shown once), then connect it with",
    '     the Node example in README.md, "Connecting a device" (docs/node-client.md):',
    `     curl -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"id":"greenhouse-1","name":"Greenhouse"}' $HUB/api/v1/devices`,
    "  4. A fleet of simulated devices: npx telehub-sim --help (docs/simulator.md)",
    "  5. Real hardware: a Raspberry Pi (docs/raspberry-pi.md), an ESP32 with Espruino (docs/esp32.md)",
    "",
    `API description: ${f.url}/api/v1/openapi.json. Ctrl-C stops everything.`,
    "",
  ].join("\n");
}
