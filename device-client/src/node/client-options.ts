import type { ClientOptions } from "ws";
import { isCommandName, MAX_HELLO_COMMANDS, type MetricValue } from "../protocol/index.js";
import { type BackoffOptions, checkBackoff, DEFAULT_BACKOFF } from "./backoff.js";
import type { OfflineBuffer } from "./buffer/offline-buffer.js";
import type { Transport } from "./device-connection.js";
import type { CredentialsMode } from "./hub-url.js";
import { checkTransports, TRANSPORTS } from "./transport-plan.js";

/** Options of {@link TelehubClient}. */
export interface TelehubClientOptions {
  /** Hub base URL: `ws://host:port`, `wss://…`, `http://…` or `https://…`; `/v1/device` is appended when absent. Required. */
  url: string;
  /** The device id the hub issued. Required. */
  deviceId: string;
  /** The device's secret token. Required. */
  token: string;
  /** Firmware version reported in `hello.fw`. Default: omitted. */
  firmware?: string;
  /** Hardware model reported in `hello.model`. Default: omitted. */
  model?: string;
  /** Attributes reported in `hello.attrs` (flat name → scalar). Default: omitted. */
  attributes?: Record<string, MetricValue>;
  /**
   * The names of the commands the device handles, reported in `hello.cmds` so that the hub's console can
   * offer them (at most 64, each 1–64 characters of A-Z a-z 0-9 `_ . : -`). Default: omitted.
   */
  commands?: readonly string[];
  /**
   * Where closed batches wait for their ack. Default `new MemoryBuffer({ maxReadings: 10_000 })`.
   * A buffer passed in is not closed by `close()` (its owner closes it); the default one is.
   */
  buffer?: OfflineBuffer;
  /** Most readings per batch (also capped by the hub's `lim.batch`). Default 50. */
  maxBatchReadings?: number;
  /** A batch closes this long after its first reading. Default 1,000 ms. */
  batchIntervalMs?: number;
  /** Reconnection backoff (capped exponential, full jitter). Default `{ initialMs: 500, maxMs: 30_000, multiplier: 2 }`; give any subset. */
  backoff?: Partial<BackoffOptions>;
  /** Random source in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Limit for the upgrade plus the `welcome` (HTTP: the answer to the `hello` request); the attempt
   * is dropped and retried after it. A WebSocket attempt with no `101` within it falls back to HTTP
   * (see `transports`). Default 10,000 ms.
   */
  connectTimeoutMs?: number;
  /** Added to `2 × welcome.hb` before a silent hub is declared dead (HTTP: to a request's wait plus `2 × welcome.hb`). Default 5,000 ms. */
  heartbeatGraceMs?: number;
  /** How credentials travel: `Authorization: Basic` header, or `?device=&token=` query. Default `"header"`. */
  credentials?: CredentialsMode;
  /** Passed to `ws` (e.g. `ca` for a private CA, `agent`). Default `{}`. */
  wsOptions?: ClientOptions;
  /** Device clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Timestamps are corrected by the clock offset measured at `welcome` only when the offset is
   * at least this large. Below it the device clock is taken as right: a few ms of measurement
   * noise would otherwise shift timestamps from one connection to the next. Default 1,000 ms.
   */
  clockCorrectionThresholdMs?: number;
  /** Version of the desired configuration the device already applied (persisted by the application); reported in `hello`. Default 0. */
  configVersion?: number;
  /**
   * The transports to use, in order of preference: `"ws"` (WebSocket) and `"http"` (POST requests
   * and long polling, docs/protocol.md §10). With `"ws"` before `"http"` the client falls back to
   * HTTP when a WebSocket cannot pass the network (a proxy's status to the upgrade, a reset during
   * the handshake, no `101` within `connectTimeoutMs`) and tries a WebSocket again every
   * `upgradeRetryMs`. Default `["ws", "http"]`.
   */
  transports?: readonly Transport[];
  /** HTTP transport: how long each long poll may be held by the hub (ms; capped by the hub's `welcome.wait`). Default 25,000. */
  httpWaitMs?: number;
  /** HTTP transport after a fallback: how often a WebSocket is tried again in the background (ms). Default 300,000. */
  upgradeRetryMs?: number;
}

export type ResolvedOptions = Required<
  Omit<TelehubClientOptions, "firmware" | "model" | "attributes" | "commands" | "buffer" | "backoff" | "configVersion">
> &
  Pick<TelehubClientOptions, "firmware" | "model" | "attributes" | "commands"> & { backoff: BackoffOptions };

/** Fill in defaults and check ranges; throws `TypeError`/`RangeError` naming the bad option. */
export function resolveOptions(options: TelehubClientOptions): ResolvedOptions {
  for (const key of ["url", "deviceId", "token"] as const) {
    if (typeof options[key] !== "string" || options[key] === "") throw new TypeError(`TelehubClient: option ${key} is required`);
  }
  const resolved: ResolvedOptions = {
    url: options.url,
    deviceId: options.deviceId,
    token: options.token,
    firmware: options.firmware,
    model: options.model,
    attributes: options.attributes,
    commands: options.commands,
    maxBatchReadings: options.maxBatchReadings ?? 50,
    batchIntervalMs: options.batchIntervalMs ?? 1_000,
    backoff: checkBackoff({ ...DEFAULT_BACKOFF, ...options.backoff }),
    random: options.random ?? Math.random,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    heartbeatGraceMs: options.heartbeatGraceMs ?? 5_000,
    credentials: options.credentials ?? "header",
    wsOptions: options.wsOptions ?? {},
    now: options.now ?? Date.now,
    clockCorrectionThresholdMs: options.clockCorrectionThresholdMs ?? 1_000,
    transports: checkTransports(options.transports ?? TRANSPORTS),
    httpWaitMs: options.httpWaitMs ?? 25_000,
    upgradeRetryMs: options.upgradeRetryMs ?? 300_000,
  };
  if (resolved.commands !== undefined) checkCommands(resolved.commands);
  positive("upgradeRetryMs", resolved.upgradeRetryMs);
  if (!(resolved.httpWaitMs >= 0 && Number.isFinite(resolved.httpWaitMs)))
    throw new RangeError(`httpWaitMs must be ≥ 0, got ${resolved.httpWaitMs}`);
  positive("maxBatchReadings", resolved.maxBatchReadings, true);
  positive("batchIntervalMs", resolved.batchIntervalMs);
  positive("connectTimeoutMs", resolved.connectTimeoutMs);
  if (!(resolved.clockCorrectionThresholdMs >= 0)) {
    throw new RangeError(`clockCorrectionThresholdMs must be ≥ 0, got ${resolved.clockCorrectionThresholdMs}`);
  }
  if (!(resolved.heartbeatGraceMs >= 0)) throw new RangeError(`heartbeatGraceMs must be ≥ 0, got ${resolved.heartbeatGraceMs}`);
  if (resolved.credentials !== "header" && resolved.credentials !== "query") {
    throw new RangeError(`credentials must be "header" or "query", got ${String(resolved.credentials)}`);
  }
  return resolved;
}

function checkCommands(commands: readonly string[]): void {
  if (!Array.isArray(commands)) throw new TypeError("commands must be an array of command names");
  if (commands.length > MAX_HELLO_COMMANDS) throw new RangeError(`commands lists ${commands.length} names; at most ${MAX_HELLO_COMMANDS}`);
  for (const name of commands) {
    if (!isCommandName(name)) {
      throw new RangeError(`commands: ${JSON.stringify(name)} is not a command name (1–64 characters of A-Z a-z 0-9 _ . : -)`);
    }
  }
}

function positive(name: string, value: number, integer = false): void {
  if (!(value > 0 && Number.isFinite(value)) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? "integer" : "number"}, got ${value}`);
  }
}
