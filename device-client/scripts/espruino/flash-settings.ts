import { readFileSync } from "node:fs";

/** What the flasher writes to the device (`telehub.json` in its Storage) and where it uploads. */
export interface FlashSettings {
  port?: string;
  ssid?: string;
  password?: string;
  url?: string;
  device?: string;
  token?: string;
  interval?: number;
}

/** The environment variable the device token is read from. */
export const TOKEN_ENV = "TELEHUB_DEVICE_TOKEN";

/** Said when `--token` is used: the token would be in shell history, and npm echoes the command line. */
export const TOKEN_FLAG_WARNING =
  `flash: warning: --token puts the device token in your shell history, and \`npm run\` echoes the whole command line ` +
  `into terminals and CI logs. Set ${TOKEN_ENV}, put "token" in the --config file, or leave it out to be asked for it.`;

/** Options as parsed from the command line. */
export type FlashOptions = Omit<FlashSettings, "interval"> & { interval?: string; config?: string };

/**
 * The settings of one flash: the `--config` JSON file, then the command line over it; the token
 * from `--token` (with a warning), else `TELEHUB_DEVICE_TOKEN`, else the file. Undefined token:
 * ask for it (on a terminal) or refuse.
 */
export function resolveFlashSettings(options: FlashOptions, env: NodeJS.ProcessEnv): { settings: FlashSettings; warnings: string[] } {
  const fromFile: FlashSettings = options.config ? JSON.parse(readFileSync(options.config, "utf8")) : {};
  const settings: FlashSettings = { ...fromFile };
  for (const key of ["port", "ssid", "password", "url", "device"] as const) if (options[key] !== undefined) settings[key] = options[key];
  if (options.interval !== undefined) settings.interval = Number(options.interval);
  const warnings: string[] = [];
  const fromEnv = env[TOKEN_ENV];
  if (options.token !== undefined) {
    warnings.push(TOKEN_FLAG_WARNING);
    settings.token = options.token;
  } else if (fromEnv) settings.token = fromEnv;
  return { settings, warnings };
}

/** Ask for a secret on the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  let typed = "";
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(typed);
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          done();
          reject(new Error("cancelled"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch >= " ") typed += ch; // other control characters are no part of a token
      }
    };
    stdin.on("data", onData);
  });
}
