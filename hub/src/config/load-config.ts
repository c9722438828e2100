import { readFileSync } from "node:fs";
import { parseTrustProxy } from "../security/client-address.js";
import { CONFIG_CHOICES, DEFAULT_CONFIG, type HubConfig, type HubConfigInput } from "./hub-config.js";

/** Numeric keys where 0 switches the limit off. */
const ZERO_MEANS_OFF: ReadonlySet<string> = new Set([
  "gateway.drainMs",
  "gateway.maxConnectionsPerAddress",
  "gateway.maxHandshakesPerAddress",
  "gateway.http.maxPollsPerAddress",
  "http.maxConnectionsPerAddress",
  "ingest.maxFutureMs",
  "ingest.maxPastMs",
  "tls.hstsMaxAgeS",
]);

/** A configuration value that cannot be used; the message names the key and what it takes. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** `limits.maxFrameBytes` → `TELEHUB_LIMITS_MAX_FRAME_BYTES`. */
export function envNameOf(path: string): string {
  return `TELEHUB_${path
    .replace(/\./g, "_")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()}`;
}

/** Every leaf key of the configuration as a dotted path, with its default. */
export function configKeys(): { path: string; defaultValue: unknown }[] {
  const keys: { path: string; defaultValue: unknown }[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value !== null && typeof value === "object") walk(value as Record<string, unknown>, path);
      else keys.push({ path, defaultValue: value });
    }
  };
  walk(DEFAULT_CONFIG as unknown as Record<string, unknown>, "");
  return keys;
}

function coerce(path: string, raw: unknown, defaultValue: unknown, source: string): unknown {
  const expected = typeof defaultValue;
  let value = raw;
  if (typeof raw === "string" && expected === "number") value = raw.trim() === "" ? Number.NaN : Number(raw);
  if (typeof raw === "string" && expected === "boolean") {
    if (!["true", "false", "1", "0"].includes(raw))
      throw new ConfigError(`${source}: ${path} must be true or false, got ${JSON.stringify(raw)}`);
    value = raw === "true" || raw === "1";
  }
  if (typeof value !== expected) throw new ConfigError(`${source}: ${path} must be a ${expected}, got ${JSON.stringify(raw)}`);
  if (expected === "number") {
    const n = value as number;
    const portLike = path === "port";
    const zeroAllowed = ZERO_MEANS_OFF.has(path);
    if (!Number.isInteger(n) || (portLike ? n < 0 || n > 65_535 : zeroAllowed ? n < 0 : n <= 0)) {
      const what = portLike ? "port number (0-65535)" : zeroAllowed ? "whole number (0: no limit)" : "positive integer";
      throw new ConfigError(`${source}: ${path} must be a ${what}, got ${JSON.stringify(raw)}`);
    }
  }
  const choices = CONFIG_CHOICES[path];
  if (choices && !choices.includes(value as string)) {
    throw new ConfigError(`${source}: ${path} must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function getPath(node: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), node);
}

function setPath(node: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let at = node;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  at[last] = value;
}

function rejectUnknownKeys(input: unknown, source: string): void {
  const known = new Set(configKeys().map((k) => k.path));
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (known.has(path)) continue;
      if (value !== null && typeof value === "object" && !Array.isArray(value) && [...known].some((k) => k.startsWith(`${path}.`)))
        walk(value as Record<string, unknown>, path);
      else throw new ConfigError(`${source}: unknown key ${path} (see docs/configuration.md)`);
    }
  };
  if (input !== null && typeof input === "object") walk(input as Record<string, unknown>, "");
}

/**
 * Build the configuration: defaults, then the JSON file named by `TELEHUB_CONFIG` (if any),
 * then `TELEHUB_*` environment variables, then `overrides`. Every value is checked.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: HubConfigInput = {}): HubConfig {
  const config = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  let file: unknown = {};
  const filePath = env.TELEHUB_CONFIG;
  if (filePath) {
    try {
      file = JSON.parse(readFileSync(filePath, "utf8"));
    } catch (error) {
      throw new ConfigError(`TELEHUB_CONFIG=${filePath}: cannot read it as JSON: ${(error as Error).message}`);
    }
    rejectUnknownKeys(file, filePath);
  }
  rejectUnknownKeys(overrides, "overrides");
  for (const { path, defaultValue } of configKeys()) {
    const fromFile = getPath(file, path);
    if (fromFile !== undefined) setPath(config, path, coerce(path, fromFile, defaultValue, filePath as string));
    const name = envNameOf(path);
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== "") setPath(config, path, coerce(path, fromEnv, defaultValue, name));
    const fromOverrides = getPath(overrides, path);
    if (fromOverrides !== undefined) setPath(config, path, coerce(path, fromOverrides, defaultValue, "overrides"));
  }
  const checked = config as unknown as HubConfig;
  try {
    parseTrustProxy(checked.security.trustProxy);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const linkBase = checked.notifications.linkBaseUrl;
  if (linkBase !== "" && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(linkBase))
    throw new ConfigError(
      `notifications.linkBaseUrl must be an http(s) address without query or fragment, got ${JSON.stringify(linkBase)}`,
    );
  checkCluster(checked);
  return checked;
}

/** Cluster mode needs both engines, InfluxDB for telemetry, and names that fit NATS. */
function checkCluster(config: HubConfig): void {
  const { cluster } = config;
  const postgres = cluster.postgresUrl !== "";
  const nats = cluster.natsUrls.trim() !== "";
  if (!postgres && !nats) return;
  if (!postgres || !nats)
    throw new ConfigError(
      `cluster mode needs both cluster.postgresUrl (TELEHUB_CLUSTER_POSTGRES_URL) and cluster.natsUrls (TELEHUB_CLUSTER_NATS_URLS); only ${postgres ? "postgresUrl" : "natsUrls"} is set (docs/cluster.md)`,
    );
  if (!/^postgres(ql)?:\/\//.test(cluster.postgresUrl))
    throw new ConfigError(
      `cluster.postgresUrl must start with postgres:// or postgresql://, got ${JSON.stringify(redactUrl(cluster.postgresUrl))}`,
    );
  for (const url of cluster.natsUrls.split(",")) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(url.trim()))
      throw new ConfigError(
        `cluster.natsUrls: each address must be nats://host:port or tls://host:port, got ${JSON.stringify(url.trim())}`,
      );
  }
  if (config.storage.telemetry === "sqlite")
    throw new ConfigError(
      "the embedded SQLite telemetry store is single-node: a cluster stores telemetry in InfluxDB (set storage.telemetry to influxdb, TELEHUB_STORAGE_TELEMETRY=influxdb; docs/cluster.md)",
    );
  if (config.security.secretsKey.trim() === "")
    throw new ConfigError(
      "a cluster's instances seal secret values in PostgreSQL with one shared key: set security.secretsKey (TELEHUB_SECURITY_SECRETS_KEY, e.g. `openssl rand -base64 32`) to the same value on every instance (docs/cluster.md)",
    );
  for (const key of ["natsPrefix", "instanceId"] as const) {
    if (!/^[A-Za-z0-9_-]*$/.test(cluster[key]) || (key === "natsPrefix" && cluster[key] === ""))
      throw new ConfigError(`cluster.${key} may hold only letters, digits, _ and -, got ${JSON.stringify(cluster[key])}`);
  }
}

/** A URL with its password replaced by `***`, for error messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
}
