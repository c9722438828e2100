import { appOptions } from "./app-options.js";
import type { CborValue } from "./cbor.js";
import type { EspruinoHttp } from "./http-post.js";
import { createSleepyDevice } from "./sleepy-device.js";

/*
 * The deep-sleep application (the entry of the sleep bundle, `npm run flash -- --sleep`): at
 * every wake, internal temperature, Wi-Fi RSSI and free variables, one exchange with the hub
 * over HTTP (docs/esp32.md, "Deep sleep over HTTP"), then `ESP32.deepSleep` for `interval`
 * seconds. Deep sleep restarts the interpreter: this file runs from the top at every wake,
 * and only Storage (flash) survives.
 */

declare const E: { getTemperature(): number };
declare function require(name: "Storage"): {
  readJSON(file: string, noExceptions: boolean): { [key: string]: CborValue } | undefined;
  writeJSON(file: string, data: CborValue): void;
  read(file: string): string | undefined;
  write(file: string, data: string, offset: number, size: number): void;
};
declare function require(name: "Wifi"): {
  connect(ssid: string, options: { password: string }, callback: (error: unknown) => void): void;
  getDetails(callback?: (details: { rssi?: number }) => void): { rssi?: number };
};
declare function require(name: "http"): EspruinoHttp;
declare const ESP32: { deepSleep(microseconds: number): void };
declare function setTime(seconds: number): void;
declare const process: { memory(): { free: number }; env: { VERSION: string } };
declare function print(...text: unknown[]): void;

const CONFIG_FILE = "telehub.json";
const STATE_FILE = "telehub.state";
/** The longest sleep: `ESP32.deepSleep` takes the microseconds as a 32-bit signed int (2^31 µs is 2,147.48 s). */
const MAX_SLEEP_S = 2147;
/** Wi-Fi that has not connected by then is given up for this wake (the readings are kept). */
const WIFI_WAIT_MS = 20000;

const storage = require("Storage");
const config = storage.readJSON(CONFIG_FILE, true);
const state = storage.readJSON(STATE_FILE, true) || {};
let intervalS = Math.min(
  MAX_SLEEP_S,
  typeof state.interval === "number" ? state.interval : config && typeof config.interval === "number" ? config.interval : 300,
);

const saveState = (): void => {
  storage.writeJSON(STATE_FILE, state);
};

const setInterval_ = (seconds: CborValue): number => {
  if (typeof seconds !== "number" || seconds < 1 || seconds > MAX_SLEEP_S) throw new Error("interval must be 1.." + MAX_SLEEP_S + " s");
  intervalS = seconds;
  state.interval = seconds;
  saveState();
  return seconds;
};

const start = (): void => {
  if (!config || typeof config.url !== "string" || typeof config.id !== "string" || typeof config.token !== "string") {
    print("telehub: no " + CONFIG_FILE + " (npm run flash)");
    return;
  }
  let rssi = NaN;
  const device = createSleepyDevice(
    {
      // biome-ignore lint/style/useNodejsImportProtocol: Espruino's built-in module, not Node's
      http: require("http"),
      storage: { read: (name) => storage.read(name), write: (name, data, offset, size) => storage.write(name, data, offset, size) },
      now: () => Date.now(),
      setClock: (ms) => setTime(ms / 1000),
    },
    Object.assign(appOptions(config, state, setInterval_, saveState), { sleepMs: intervalS * 1000 }),
  );
  const sample = (): void => {
    let temp = NaN;
    try {
      temp = E.getTemperature();
    } catch {
      // not on every board
    }
    device.add([temp, rssi, process.memory().free]);
  };
  let woken = false;
  const run = (): void => {
    if (woken) return;
    woken = true;
    device.wake(sample, (ok) => {
      print("telehub: sleep", intervalS, ok ? "" : "(hub not reached)");
      ESP32.deepSleep(intervalS * 1000000);
    });
  };
  setTimeout(run, WIFI_WAIT_MS);
  if (typeof config.ssid === "string" && config.ssid !== "") {
    require("Wifi").connect(config.ssid, { password: String(config.password || "") }, (error) => {
      if (error) print("telehub: Wi-Fi:", error);
      try {
        const details = require("Wifi").getDetails();
        if (typeof details.rssi === "number") rssi = details.rssi;
      } catch {
        // not on every firmware
      }
      run();
    });
  } else run();
};

start();
