/** Quote a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The device WebSocket URL of the hub that serves this page. */
export function deviceHubUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
}

/** `/etc/telehub/agent.json` for the Raspberry Pi agent (`telehub-agent --config /etc/telehub/agent.json`). */
export function piAgentConfig(hub: string, deviceId: string, token: string): string {
  return JSON.stringify({ hub, deviceId, token }, null, 2);
}

/** The ESP32 flasher's command line (device-client/scripts/espruino/flash.ts). */
export function esp32FlashCommand(hub: string, deviceId: string, token: string): string {
  return [
    "npm run flash --",
    "--port /dev/ttyUSB0",
    "--ssid 'YOUR-WIFI'",
    "--password 'YOUR-WIFI-PASSWORD'",
    `--url ${shellQuote(hub)}`,
    `--device ${shellQuote(deviceId)}`,
    `--token ${shellQuote(token)}`,
  ].join(" \\\n  ");
}
