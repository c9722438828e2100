import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { AgentConfigError } from "./config-error.js";
import { ConfigReader } from "./config-reader.js";
import type { ProcessCommand } from "./run-process.js";

/** The default location of the configuration file. */
export const DEFAULT_CONFIG_FILE = "/etc/telehub/agent.json";

/** The built-in collectors, by the name used under `collectors` in the file. */
export const BUILTIN_COLLECTORS = ["thermal", "load", "memory", "disk", "network", "uptime"] as const;
export type BuiltinCollectorName = (typeof BUILTIN_COLLECTORS)[number];

/** A custom collector: a shell command whose output is parsed, or a JS module with `collect()`. */
export type CustomCollectorConfig =
  | { name: string; command: ProcessCommand; timeoutMs: number }
  | { name: string; module: string; timeoutMs: number };

/** A script the hub may start with `run_script`. */
export interface ScriptConfig {
  command: ProcessCommand;
  timeoutMs: number;
}

/** The agent's configuration with every default filled in (see `docs/raspberry-pi.md`). */
export interface AgentConfig {
  /** The file it was read from (absolute), for messages. */
  file: string;
  /** Hub URL: `ws://`, `wss://`, `http://` or `https://`. */
  hub: string;
  deviceId: string;
  /** The device token: from `token`, or read from `tokenFile`. */
  token: string;
  /** Where the token came from: `token` or the path of `tokenFile`. */
  tokenSource: string;
  /** PEM file of the CA that signed the hub's certificate (for `wss://` with a private CA). Default: the system's CAs. */
  caFile: string | undefined;
  /** Seconds between collection rounds. Default 60. */
  intervalS: number;
  /** Holds the buffer (`buffer.log`) and the applied state (`state.json`). Default `/var/lib/telehub-agent`. */
  stateDir: string;
  buffer: {
    /** Most readings kept while the hub is unreachable; the oldest go first. Default 100,000. */
    maxReadings: number;
  };
  /** Which built-in collectors run. Default: all. */
  collectors: Record<BuiltinCollectorName, boolean>;
  thermal: {
    /** Where the thermal zones are. Default `/sys/class/thermal`. */
    dir: string;
  };
  disk: {
    /** Mount points measured. Default `["/"]`. */
    mounts: string[];
  };
  network: {
    /** Interfaces measured; empty means every one not excluded. Default `[]`. */
    include: string[];
    /** Interfaces skipped. Default `["lo"]`. */
    exclude: string[];
  };
  /** Custom collectors. Default `[]`. */
  custom: CustomCollectorConfig[];
  /** Scripts `run_script` may start, by name. Default: none. */
  scripts: Record<string, ScriptConfig>;
  /** Bytes of stdout and of stderr each kept in a `run_script` result. Default 4,096. */
  scriptOutputMaxBytes: number;
  /** Whether the `reboot` command is obeyed. Default false. */
  allowReboot: boolean;
  /** What `reboot` runs. Default `["systemctl", "reboot"]`. */
  rebootCommand: ProcessCommand;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Read and check the configuration file. With `collectOnly` the hub keys may be missing (for
 * `--once`, which talks to no hub). Throws an {@link AgentConfigError} naming the file and key.
 */
export function loadAgentConfig(file: string, options: { collectOnly?: boolean } = {}): AgentConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new AgentConfigError(path, "", `cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError(path, "", `is not valid JSON: ${(error as Error).message}`);
  }
  return parseAgentConfig(json, path, options);
}

/** Check a parsed configuration object (see {@link loadAgentConfig}); relative paths are taken from the file's folder. */
export function parseAgentConfig(json: unknown, file: string, options: { collectOnly?: boolean } = {}): AgentConfig {
  const root = new ConfigReader(file, json);
  const here = dirname(file);
  const path = (value: string | undefined): string | undefined => (value === undefined ? undefined : resolve(here, value));
  const required = (key: string, value: string | undefined): string => {
    if (value === undefined && !options.collectOnly) throw root.error(key, "is required");
    return value ?? "";
  };

  const hub = required("hub", root.string("hub"));
  if (hub !== "" && !/^(wss?|https?):\/\/[^/]/.test(hub))
    throw root.error("hub", `must be a ws://, wss://, http:// or https:// URL, got "${hub}"`);
  const deviceId = required("deviceId", root.string("deviceId"));
  const { token, tokenSource } = readToken(root, path(root.string("tokenFile")), options.collectOnly ?? false);

  const buffer = root.section("buffer");
  const collectors = root.section("collectors");
  const thermal = root.section("thermal");
  const disk = root.section("disk");
  const network = root.section("network");
  const config: AgentConfig = {
    file,
    hub,
    deviceId,
    token,
    tokenSource,
    caFile: readable(root, "caFile", path(root.string("caFile"))),
    intervalS: root.number("intervalS", { min: 0.01, max: 86_400 }) ?? 60,
    stateDir: path(root.string("stateDir")) ?? "/var/lib/telehub-agent",
    buffer: { maxReadings: buffer?.number("maxReadings", { min: 1, max: 10_000_000, integer: true }) ?? 100_000 },
    collectors: readCollectorSwitches(collectors),
    thermal: { dir: path(thermal?.string("dir")) ?? "/sys/class/thermal" },
    disk: { mounts: disk?.stringArray("mounts") ?? ["/"] },
    network: { include: network?.stringArray("include") ?? [], exclude: network?.stringArray("exclude") ?? ["lo"] },
    custom: (root.objects("custom") ?? []).map((entry) => readCustomCollector(entry, path)),
    scripts: readScripts(root.section("scripts")),
    scriptOutputMaxBytes: root.number("scriptOutputMaxBytes", { min: 1, max: 16_384, integer: true }) ?? 4_096,
    allowReboot: root.boolean("allowReboot") ?? false,
    rebootCommand: root.command("rebootCommand") ?? ["systemctl", "reboot"],
  };
  for (const section of [buffer, collectors, thermal, disk, network]) section?.done();
  root.done();
  const names = new Set<string>();
  config.custom.forEach((entry, i) => {
    if (names.has(entry.name)) throw new AgentConfigError(file, `custom[${i}].name`, `"${entry.name}" is used twice`);
    names.add(entry.name);
  });
  return config;
}

function readToken(root: ConfigReader, tokenFile: string | undefined, collectOnly: boolean): { token: string; tokenSource: string } {
  const inline = root.string("token");
  if (inline !== undefined && tokenFile !== undefined) throw root.error("tokenFile", 'give either "token" or "tokenFile", not both');
  if (inline !== undefined) return { token: inline, tokenSource: "token" };
  if (tokenFile === undefined) {
    if (collectOnly) return { token: "", tokenSource: "" };
    throw root.error("token", 'is required (or "tokenFile")');
  }
  let token: string;
  try {
    token = readFileSync(tokenFile, "utf8").trim();
  } catch (error) {
    throw root.error("tokenFile", `cannot be read: ${(error as Error).message}`);
  }
  if (token === "") throw root.error("tokenFile", `${tokenFile} is empty`);
  return { token, tokenSource: tokenFile };
}

/** A file the agent reads later (after the configuration was accepted) must be readable now. */
function readable(root: ConfigReader, key: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw root.error(key, `cannot be read: ${(error as Error).message}`);
  }
  return file;
}

function readCollectorSwitches(section: ConfigReader | undefined): Record<BuiltinCollectorName, boolean> {
  const switches = {} as Record<BuiltinCollectorName, boolean>;
  for (const name of BUILTIN_COLLECTORS) switches[name] = section?.boolean(name) ?? true;
  return switches;
}

function readCustomCollector(entry: ConfigReader, path: (value: string | undefined) => string | undefined): CustomCollectorConfig {
  const name = entry.string("name");
  if (name === undefined) throw entry.error("name", "is required");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(name)) throw entry.error("name", "use A-Z a-z 0-9 _ . - /, starting with a letter or digit");
  const timeoutMs = entry.number("timeoutMs", { min: 1, max: 600_000, integer: true }) ?? DEFAULT_TIMEOUT_MS;
  const command = entry.command("command");
  const module = path(entry.string("module"));
  entry.done();
  if ((command === undefined) === (module === undefined)) throw entry.error("command", 'give exactly one of "command" and "module"');
  return command !== undefined ? { name, command, timeoutMs } : { name, module: module as string, timeoutMs };
}

function readScripts(section: ConfigReader | undefined): Record<string, ScriptConfig> {
  const scripts: Record<string, ScriptConfig> = {};
  if (section === undefined) return scripts;
  for (const name of section.keys()) {
    const script = new ConfigReader(section.file, asObject(section, name), `scripts.${name}`);
    const command = script.command("command");
    if (command === undefined) throw script.error("command", "is required");
    scripts[name] = { command, timeoutMs: script.number("timeoutMs", { min: 1, max: 3_600_000, integer: true }) ?? 25_000 };
    script.done();
  }
  return scripts;
}

/** `scripts.NAME` may be just the command, or `{ command, timeoutMs }`. */
function asObject(section: ConfigReader, name: string): Record<string, unknown> {
  const value = section.raw(name);
  if (typeof value === "string" || Array.isArray(value)) return { command: value };
  if (value === null || typeof value !== "object") throw section.error(name, "must be a command or { command, timeoutMs }");
  return value as Record<string, unknown>;
}
