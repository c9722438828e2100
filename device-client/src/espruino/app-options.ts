import { APP_BATCH_READINGS, APP_FW, APP_METRICS, APP_MODEL } from "./app-settings.js";
import type { CborValue } from "./cbor.js";
import type { ClientOptions } from "./client-options.js";

declare const process: { env: { VERSION: string } };
declare function print(...text: unknown[]): void;

type Doc = { [key: string]: CborValue };

/**
 * The client options of both example applications (`main.ts`, `main-sleep.ts`): credentials from
 * `telehub.json`, the configuration version from `telehub.state`, the `ping` and `interval`
 * commands, `interval` from the desired configuration, every event printed as `telehub: NAME A B`.
 * `config` has been checked for `url`, `id` and `token`; `saveState` writes `state` to Storage.
 */
export function appOptions(config: Doc, state: Doc, setIntervalS: (seconds: CborValue) => number, saveState: () => void): ClientOptions {
  return {
    url: config.url as string,
    deviceId: config.id as string,
    token: config.token as string,
    metrics: APP_METRICS,
    batchReadings: APP_BATCH_READINGS,
    model: APP_MODEL,
    fw: APP_FW,
    attrs: { espruino: process.env.VERSION },
    configVersion: typeof state.cfg === "number" ? state.cfg : 0,
    commands: {
      ping: () => "pong",
      interval: (args) => setIntervalS(args.seconds as CborValue),
    },
    onConfig: (doc, version) => {
      if (doc.interval !== undefined) setIntervalS(doc.interval);
      state.cfg = version;
      saveState();
    },
    onEvent: (name, a, b) => print("telehub:", name, a === undefined ? "" : a, b === undefined ? "" : b),
  };
}
