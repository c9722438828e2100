import { appOptions } from "./app-options.js";
import type { CborValue } from "./cbor.js";
import type { EspruinoNet } from "./platform.js";
import { createDevice, type TelehubDevice } from "./telehub-device.js";

/*
 * The device application flashed onto the ESP32 (the entry of the bundle): credentials from
 * the flash file `telehub.json` (written by `npm run flash`, never part of the code), Wi-Fi,
 * then internal temperature, Wi-Fi RSSI and free variables every `interval` seconds.
 */

/** Espruino built-ins used here (they exist only on the device). */
declare const E: { toString(bytes: Uint8Array): string; getTemperature(): number };
declare function require(name: "Storage"): {
  readJSON(file: string, noExceptions: boolean): { [key: string]: CborValue } | undefined;
  writeJSON(file: string, data: CborValue): void;
};
declare function require(name: "Wifi"): {
  connect(ssid: string, options: { password: string }, callback: (error: unknown) => void): void;
  getDetails(callback?: (details: { rssi?: number }) => void): { rssi?: number };
};
declare function require(name: "net" | "tls"): EspruinoNet;
declare const process: { memory(): { free: number }; env: { VERSION: string } };
declare function print(...text: unknown[]): void;

const CONFIG_FILE = "telehub.json";
const STATE_FILE = "telehub.state";

const storage = require("Storage");
const config = storage.readJSON(CONFIG_FILE, true);
const state = storage.readJSON(STATE_FILE, true) || {};
let intervalS = typeof state.interval === "number" ? state.interval : config && typeof config.interval === "number" ? config.interval : 30;
let sampler: unknown;
let rssi = NaN;

const saveState = (): void => {
  storage.writeJSON(STATE_FILE, state);
};

const sample = (device: TelehubDevice): void => {
  let temp = NaN;
  try {
    temp = E.getTemperature();
  } catch {
    // not on every board
  }
  try {
    require("Wifi").getDetails((details) => {
      if (typeof details.rssi === "number") rssi = details.rssi;
    });
  } catch {
    // not on every firmware
  }
  device.add([temp, rssi, process.memory().free]);
};

const schedule = (device: TelehubDevice): void => {
  if (sampler) clearInterval(sampler as number);
  sampler = setInterval(() => sample(device), intervalS * 1000);
};

const applyInterval = (device: TelehubDevice, seconds: CborValue): number => {
  if (typeof seconds !== "number" || seconds < 1 || seconds > 86400) throw new Error("interval must be 1..86400 s");
  intervalS = seconds;
  state.interval = seconds;
  saveState();
  schedule(device);
  return seconds;
};

const start = (): void => {
  if (!config || typeof config.url !== "string" || typeof config.id !== "string" || typeof config.token !== "string") {
    print("telehub: no " + CONFIG_FILE + " (npm run flash)");
    return;
  }
  const device: TelehubDevice = createDevice(
    {
      // biome-ignore lint/style/useNodejsImportProtocol: Espruino's built-in module, not Node's
      net: require("net"),
      // biome-ignore lint/style/useNodejsImportProtocol: Espruino's built-in module, not Node's
      tls: require("tls"),
      toBinaryString: (bytes) => E.toString(bytes),
      now: () => Date.now(),
      random: () => Math.random(),
    },
    appOptions(config, state, (seconds) => applyInterval(device, seconds), saveState),
  );
  const online = (): void => {
    device.start();
    schedule(device);
  };
  if (typeof config.ssid === "string" && config.ssid !== "") {
    require("Wifi").connect(config.ssid, { password: String(config.password || "") }, (error) => {
      if (error) print("telehub: Wi-Fi:", error);
      else online();
    });
  } else online();
};

start();
