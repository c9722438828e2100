/** Quote a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Is this host name the machine itself (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`)? A
 * snippet with such a host works for a device on the hub's own machine only: on a board, the
 * address is the board itself.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The device WebSocket URL of the hub that serves this page. */
export function deviceHubUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
}

/** `/etc/telehub/agent.json` for the Raspberry Pi agent (`telehub-agent --config /etc/telehub/agent.json`). */
export function piAgentConfig(hub: string, deviceId: string, token: string): string {
  return JSON.stringify({ hub, deviceId, token }, null, 2);
}

/**
 * The ESP32 flasher's command line (device-client/scripts/espruino/flash.ts), without the token:
 * npm echoes a command line into terminals and CI logs, so the flasher asks for the token (or
 * reads TELEHUB_DEVICE_TOKEN).
 */
export function esp32FlashCommand(hub: string, deviceId: string): string {
  const loopback = isLoopbackHost(new URL(hub).hostname);
  return [
    `${loopback ? "# replace the host in --url with this machine's LAN address: on the board, it is the board itself\n" : ""}# asks for the token shown above (or set TELEHUB_DEVICE_TOKEN)\nnpm run flash --`,
    "--port /dev/ttyUSB0",
    "--ssid 'YOUR-WIFI'",
    "--password 'YOUR-WIFI-PASSWORD'",
    `--url ${shellQuote(hub)}`,
    `--device ${shellQuote(deviceId)}`,
  ].join(" \\\n  ");
}
