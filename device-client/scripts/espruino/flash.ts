#!/usr/bin/env node
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildBundle, SLEEP_ENTRY } from "./bundle.js";
import { promptHidden, resolveFlashSettings, TOKEN_ENV } from "./flash-settings.js";
import { checkBundle, formatViolations } from "./gate.js";

/*
 * `npm run flash`: build the Espruino bundle, check it with the gate, and upload it with the
 * `espruino` CLI, offline: the ESP32 board description ships with the project (`--board`),
 * Bluetooth is off (`--no-ble`). Credentials go to the device's flash Storage as
 * `telehub.json` (`--storage`), never into the code; the code is written to flash and runs
 * at every boot (`SAVE_ON_SEND=1`). `--dry-run` writes the bundle instead (`-n -o`): the code
 * the upload sends, not the upload (which also sends `reset()`, the Storage writes and `load()`).
 * The token never needs the command line (npm echoes it): `TELEHUB_DEVICE_TOKEN`, the config
 * file, or a prompt (see `flash-settings.ts`).
 */

const here = dirname(fileURLToPath(import.meta.url));
/** The ESP32 board description, copied from the interpreter's board data (device-client/scripts/espruino/ESP32.json). */
export const BOARD_FILE = resolve(here, "../../../scripts/espruino/ESP32.json");
const USAGE = `usage: npm run flash -- [options]
  --port P        serial port (/dev/ttyUSB0) or tcp://HOST:PORT (a board on Wi-Fi)
  --ssid S        Wi-Fi network          --password W   Wi-Fi password
  --url U         hub URL (ws://HOST:PORT or wss://…)
  --device ID     device id
  --interval N    seconds between readings (default 30; with --sleep 300)
  --sleep         the deep-sleep application instead: wake every --interval seconds, one HTTP
                  request to the hub (--url http://HOST:PORT), then ESP32.deepSleep (docs/esp32.md)
  --config FILE   JSON with any of: port, ssid, password, url, device, token, interval
  --dry-run       write the bundle (the code the upload sends) to --out (default dist/espruino/upload.js),
                  touch no device; the upload itself also sends reset(), writes telehub.json and the
                  code to Storage (in chunks) and runs load()
  --out FILE      where --dry-run writes
The device token (shown once by the hub) is read from ${TOKEN_ENV}, else from the --config file,
else asked for on the terminal. Never put it on the command line: npm echoes the command line.`;

function espruinoCli(): string {
  return createRequire(import.meta.url).resolve("espruino/bin/espruino-cli.js");
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, [espruinoCli(), ...args], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`espruino CLI failed (${result.status ?? result.signal})`);
}

/** Build, gate, and upload or write. Returns the path written on a dry run. */
export async function flash(argv: string[]): Promise<string | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      ssid: { type: "string" },
      password: { type: "string" },
      url: { type: "string" },
      device: { type: "string" },
      token: { type: "string" },
      interval: { type: "string" },
      config: { type: "string" },
      "dry-run": { type: "boolean" },
      sleep: { type: "boolean" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const { settings, warnings } = resolveFlashSettings(values, process.env);
  for (const warning of warnings) console.error(warning);

  const bundle = await buildBundle(values.sleep ? SLEEP_ENTRY : undefined);
  const violations = checkBundle(bundle.minified);
  if (violations.length > 0) throw new Error(`the bundle breaks the Espruino rules:\n${formatViolations(violations)}`);
  const work = mkdtempSync(join(tmpdir(), "telehub-flash-"));
  try {
    const code = join(work, "telehub.js");
    writeFileSync(code, bundle.minified);
    const common = ["--board", BOARD_FILE, "--no-ble"];
    if (values["dry-run"]) {
      const out = resolve(values.out ?? "dist/espruino/upload.js");
      mkdirSync(dirname(out), { recursive: true });
      run([...common, "-n", "-o", out, code]);
      console.log(`dry run: the ${bundle.minified.length}-byte bundle (the code an upload sends) written to ${out}`);
      return out;
    }
    const missing = (["port", "url", "device"] as const).filter((k) => !settings[k]);
    if (missing.length > 0) throw new Error(`missing ${missing.map((k) => `--${k}`).join(", ")}\n${USAGE}`);
    if (!settings.token && process.stdin.isTTY) settings.token = await promptHidden(`device token for ${settings.device}: `);
    if (!settings.token) throw new Error(`missing the device token: set ${TOKEN_ENV} or put "token" in the --config file\n${USAGE}`);
    const credentials = join(work, "telehub.json");
    writeFileSync(
      credentials,
      JSON.stringify({
        url: settings.url,
        id: settings.device,
        token: settings.token,
        ssid: settings.ssid ?? "",
        password: settings.password ?? "",
        interval: settings.interval ?? (values.sleep ? 300 : 30),
      }),
      { mode: 0o600 },
    );
    run([...common, "-p", settings.port as string, "--storage", `telehub.json:${credentials}`, "--config", "SAVE_ON_SEND=1", code]);
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  flash(process.argv.slice(2)).catch((error: Error) => {
    console.error(`flash: ${error.message}`);
    process.exit(1);
  });
}
