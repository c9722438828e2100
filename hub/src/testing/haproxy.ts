import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEVICE_PATH } from "@telehub/device-client/protocol";
import { dieWithParent } from "../process/die-with-parent.js";
import { freePort } from "./influxd.js";

/** The Debian package's binary (`apt-get install -y haproxy`); `TELEHUB_HAPROXY` points elsewhere. */
export const HAPROXY = process.env.TELEHUB_HAPROXY ?? "/usr/sbin/haproxy";

/** One hub instance behind the proxy. */
export interface HaproxyBackend {
  /** The server's name in HAProxy (stats, logs, the admin socket): letters, digits, `_`, `-`, `.`. */
  name: string;
  host: string;
  port: number;
}

/** How HAProxy health-checks each hub (`GET /readyz`, healthy on 200 only). */
export interface HaproxyHealthCheck {
  /** Between two checks of a server. */
  interMs: number;
  /** Consecutive failed checks that mark a server down. */
  fall: number;
  /** Consecutive passed checks that mark a server up again. */
  rise: number;
  /** A check whose answer takes longer fails (`timeout check`): a hub slowed by load must not count as down. */
  timeoutMs: number;
}

/** Everything `haproxyConfig` writes; the shipped `deploy/haproxy/haproxy.cfg` is {@link PRODUCTION_HAPROXY}. */
export interface HaproxyConfigOptions {
  /** The one frontend's `bind` address for HTTP and WebSocket: `127.0.0.1:PORT`, `:8080`. */
  bind: string;
  backends: readonly HaproxyBackend[];
  /** Health checks; `false`: none (every server counts as up; only failed connections are noticed). */
  check: HaproxyHealthCheck | false;
  /**
   * `timeout client` / `timeout server`: the longest silence inside one HTTP exchange. Above the
   * hub's longest held request (gateway.http.maxWaitMs, commands.maxWaitMs: 30 s; the live SSE
   * keepalive: 15 s).
   */
  exchangeTimeoutMs: number;
  /** `timeout tunnel`: the longest silence on an upgraded connection (device and live WebSockets; the hub pings every 15 to 30 s). */
  tunnelTimeoutMs: number;
  /** `retries`: further connection attempts for one request, each on another server (`option redispatch 1`). */
  retries: number;
  /** Entries of the stick table that keeps each HTTP transport session on the hub that holds it (one per device polling over HTTP). */
  httpSessions: number;
  /** `global maxconn`; absent: HAProxy derives it from the file-descriptor limit. */
  maxConnections?: number;
  /** `stats socket` path (level admin: `show stat`, `set server … state drain`); absent: none. */
  adminSocket?: string;
  /** A DNS server to re-resolve backend names with (`127.0.0.11:53` in Docker), so a hub that starts late or moves is found; absent: resolved once at start. */
  resolver?: string;
  /** Log each request to stdout (`option httplog`). */
  logToStdout: boolean;
}

/** The shipped configuration (`deploy/haproxy/haproxy.cfg`, the compose `cluster` profile's three hubs). */
export const PRODUCTION_HAPROXY: HaproxyConfigOptions = {
  bind: ":8080",
  backends: [
    { name: "hub1", host: "hub1", port: 8080 },
    { name: "hub2", host: "hub2", port: 8080 },
    { name: "hub3", host: "hub3", port: 8080 },
  ],
  check: { interMs: 2_000, fall: 2, rise: 2, timeoutMs: 2_000 },
  exchangeTimeoutMs: 60_000,
  tunnelTimeoutMs: 3_600_000,
  retries: 3,
  httpSessions: 1_000_000,
  maxConnections: 100_000,
  adminSocket: "/var/lib/haproxy/admin.sock",
  resolver: "127.0.0.11:53",
  logToStdout: true,
};

/** Whether the HAProxy binary can be run here. */
export function haproxyAvailable(binary = HAPROXY): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The stick rules of the HTTP transport for one way of sending credentials. */
function stickRules(key: string, credentials: string): string[] {
  const post = `{ path ${DEVICE_PATH} } METH_POST ${credentials}`;
  const inSession = `${post} { url_param(sid) -m found }`;
  return [`  stick store-request ${key} if ${post}`, `  stick match ${key} if ${inSession}`, `  force-persist if ${inSession}`];
}

/** HAProxy's time format: whole seconds where they are, else milliseconds. */
function duration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

function serverLine(backend: HaproxyBackend, options: HaproxyConfigOptions): string {
  const check = options.check === false ? "" : " check";
  const resolve = options.resolver ? " resolvers dns init-addr last,libc,none" : "";
  return `  server ${backend.name} ${backend.host}:${backend.port}${check}${resolve}`;
}

/**
 * An HAProxy configuration: one `mode http` frontend carrying HTTP and WebSocket (device and live
 * connections upgrade on the same port), `leastconn` over the hubs (long-lived WebSockets count,
 * not requests), `GET /readyz` health checks: a hub answering 503 (draining, or a store away) gets
 * no new connections while its open ones continue. A failed connection is retried on another hub.
 * `option forwardfor` adds `X-Forwarded-For`: the hubs' `security.trustProxy` must name HAProxy's
 * address, or every device counts as coming from HAProxy (per-address limits, audit).
 */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const { check } = options;
  const global = [
    "global",
    ...(options.maxConnections === undefined ? [] : [`  maxconn ${options.maxConnections}`]),
    ...(options.adminSocket === undefined ? [] : [`  stats socket ${options.adminSocket} mode 600 level admin`]),
    ...(options.logToStdout ? ["  log stdout format raw local0"] : []),
  ];
  const resolvers =
    options.resolver === undefined
      ? []
      : ["", "resolvers dns", `  nameserver dns1 ${options.resolver}`, "  hold valid 10s", "  accepted_payload_size 8192"];
  return `${[
    "# Telehub: HAProxy in front of the hub instances (docs/cluster.md, docs/operations.md).",
    "# Generated by haproxyConfig() in hub/src/testing/haproxy.ts (PRODUCTION_HAPROXY); a test checks they agree.",
    ...global,
    ...resolvers,
    "",
    "defaults",
    "  mode http",
    ...(options.logToStdout ? ["  log global", "  option httplog"] : []),
    "  timeout connect 5s",
    `  timeout client ${duration(options.exchangeTimeoutMs)}`,
    `  timeout server ${duration(options.exchangeTimeoutMs)}`,
    `  timeout tunnel ${duration(options.tunnelTimeoutMs)}`,
    "  timeout client-fin 5s",
    "  timeout http-request 10s",
    "  timeout http-keep-alive 10s",
    "  timeout queue 10s",
    ...(check === false ? [] : [`  timeout check ${duration(check.timeoutMs)}`]),
    "",
    "frontend telehub",
    `  bind ${options.bind}`,
    "  default_backend hubs",
    "",
    "backend hubs",
    "  balance leastconn",
    "  option forwardfor",
    ...(check === false
      ? []
      : [
          "  option httpchk GET /readyz",
          "  http-check expect status 200",
          `  default-server inter ${duration(check.interMs)} fastinter ${duration(check.interMs)} downinter ${duration(check.interMs)} fall ${check.fall} rise ${check.rise}`,
        ]),
    // An HTTP transport session (docs/protocol.md §10) lives on the hub that answered its hello:
    // each request naming it (?sid=) goes there, even while that hub drains (force-persist), and
    // reaches another hub (404 TH_SESSION_UNKNOWN: the device says hello again) only once it is
    // gone. A hello is balanced like any connection. Keyed by the device's credentials, hashed.
    `  stick-table type binary len 20 size ${options.httpSessions} expire 2h`,
    ...stickRules("req.hdr(authorization),sha1", "{ req.hdr(authorization) -m found }"),
    ...stickRules("url_param(device),sha1", "!{ req.hdr(authorization) -m found }"),
    `  retries ${options.retries}`,
    "  retry-on conn-failure empty-response",
    "  option redispatch 1",
    ...options.backends.map((backend) => serverLine(backend, options)),
  ].join("\n")}\n`;
}

/** A server's state as HAProxy's `show stat` reports it. */
export interface HaproxyServerState {
  name: string;
  /** `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2` (coming up), `MAINT`, `DRAIN`, … */
  status: string;
  /** Connections open to it now. */
  currentSessions: number;
  /** Connections it was given since start. */
  totalSessions: number;
}

/** A private HAProxy: one frontend on a random loopback port, everything in one temp folder. */
export interface PrivateHaproxy {
  /** `http://127.0.0.1:PORT`: the frontend (HTTP and WebSocket). */
  url: string;
  port: number;
  pid: number;
  /** The configuration it runs. */
  config: string;
  /** The backends' states, from the admin socket. */
  servers(): Promise<HaproxyServerState[]>;
  /** What HAProxy wrote to stderr so far (alerts, servers going up and down). */
  output(): string;
  /** Stop HAProxy (SIGTERM, and wait) and delete the folder. */
  stop(): Promise<void>;
}

export interface StartHaproxyOptions {
  backends: readonly HaproxyBackend[];
  /** Health checks; default every 100 ms, down after 2 failures, up after 1 success, 2 s for an answer; `false`: none. */
  check?: HaproxyHealthCheck | false;
  /** Default 60,000 ms (as shipped). */
  exchangeTimeoutMs?: number;
  /** Default 3,600,000 ms (as shipped). */
  tunnelTimeoutMs?: number;
  /** Default 3 (as shipped). */
  retries?: number;
  /** The binary. Default `HAPROXY`. */
  binary?: string;
  /** Give up waiting for the frontend to accept after this long. Default 10,000 ms. */
  startTimeoutMs?: number;
}

/** Send one command to the admin socket and collect the whole answer. */
function adminCommand(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.once("end", () => resolve(answer));
    socket.once("error", reject);
    socket.write(`${command}\n`);
  });
}

function parseStat(csv: string): HaproxyServerState[] {
  const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n");
  const columns = (header ?? "").split(",");
  const at = (name: string): number => columns.indexOf(name);
  return rows
    .map((row) => row.split(","))
    .filter((cells) => cells[at("pxname")] === "hubs" && !["FRONTEND", "BACKEND"].includes(cells[at("svname")] ?? ""))
    .map((cells) => ({
      name: cells[at("svname")] ?? "",
      status: cells[at("status")] ?? "",
      currentSessions: Number(cells[at("scur")]),
      totalSessions: Number(cells[at("stot")]),
    }));
}

/** A running HAProxy process and how to end it. */
interface Launched {
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

function launch(binary: string, file: string): Launched {
  const child: ChildProcess = spawn(...dieWithParent(binary, ["-f", file, "-db"], "SIGKILL"), { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  // A test process that ends without stop() must not leave HAProxy behind.
  const stopOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", stopOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.removeListener("exit", stopOnExit);
      resolve();
    }),
  );
  return {
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Wait until the admin socket answers: HAProxy binds every listener (the frontend too) before it
 * opens it, and exits when one cannot be bound. Resolves false when the process exited.
 */
async function answers(launched: Launched, adminSocket: string, deadline: number): Promise<boolean> {
  const { child } = launched;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    // A socket bound by a process that then fails to bind the frontend accepts, but answers nothing.
    const info = await adminCommand(adminSocket, "show info").catch(() => "");
    if (info.includes("Name: HAProxy")) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * Start `haproxy -f <own config> -db` (foreground) in front of `backends` on a random loopback
 * port; resolves when it listens. A port taken meanwhile by another process (between `freePort`
 * and the bind) is given up for another one, three times at most.
 */
export async function startHaproxy(options: StartHaproxyOptions): Promise<PrivateHaproxy> {
  const binary = options.binary ?? HAPROXY;
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), "telehub-haproxy-"));
  const adminSocket = join(dir, "admin.sock");
  const file = join(dir, "haproxy.cfg");
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = haproxyConfig({
      bind: `127.0.0.1:${port}`,
      backends: options.backends,
      check: options.check ?? { interMs: 100, fall: 2, rise: 1, timeoutMs: 2_000 },
      exchangeTimeoutMs: options.exchangeTimeoutMs ?? PRODUCTION_HAPROXY.exchangeTimeoutMs,
      tunnelTimeoutMs: options.tunnelTimeoutMs ?? PRODUCTION_HAPROXY.tunnelTimeoutMs,
      retries: options.retries ?? PRODUCTION_HAPROXY.retries,
      httpSessions: 10_000,
      adminSocket,
      logToStdout: false,
    });
    writeFileSync(file, config);
    const launched = launch(binary, file);
    const stop = async (): Promise<void> => {
      await launched.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    if (await answers(launched, adminSocket, deadline)) {
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        pid: launched.child.pid as number,
        config,
        servers: async () => parseStat(await adminCommand(adminSocket, "show stat")),
        output: () => launched.output.join(""),
        stop,
      };
    }
    const output = launched.output.join("");
    if (attempt < 3 && /cannot bind socket/i.test(output) && Date.now() < deadline) {
      await launched.stop();
      continue;
    }
    await stop();
    throw new Error(`haproxy did not start on 127.0.0.1:${port}\n${output}`);
  }
}
