import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./influxd.js";

/** The Debian package's binary (`apt-get install -y nginx`); `TELEHUB_NGINX` points elsewhere. */
export const NGINX = process.env.TELEHUB_NGINX ?? "/usr/sbin/nginx";

/**
 * How the proxy treats what passes through it:
 * - `no-upgrade`: a plain `proxy_pass` (HTTP/1.0 upstream, `Upgrade`/`Connection` not passed, as
 *   nginx does unless told otherwise): the hub sees a WebSocket upgrade as a plain GET, and the
 *   client never gets a `101`. Responses are not buffered.
 * - `websocket`: passes `Upgrade` (HTTP/1.1 upstream, `Connection: upgrade`), the documented
 *   WebSocket set-up: a direct path for devices.
 * - `buffering`: `proxy_buffering on` with large buffers and the hub's `X-Accel-Buffering: no`
 *   ignored, so a `text/event-stream` response arrives only when it ends or megabytes have
 *   gathered: for a live stream, not even its headers come (an `EventSource` stays connecting,
 *   neither open nor failed). No `Upgrade` either. Short responses (a long poll's) pass whole.
 */
export type ProxyMode = "no-upgrade" | "websocket" | "buffering";

/** What the proxy is configured for. */
export interface ProxySetup {
  /** Where requests go: the hub's `http://127.0.0.1:PORT`. */
  upstream: string;
  mode: ProxyMode;
  /**
   * `proxy_read_timeout`: the proxy cuts a response that sends nothing for this long (a held
   * long poll, a quiet stream) and answers 504 if nothing was sent yet. Default 60,000 ms (nginx's).
   */
  readTimeoutMs?: number;
}

/** A private nginx: one reverse-proxy server on a random loopback port, everything in one temp folder. */
export interface PrivateNginx {
  /** `http://127.0.0.1:PORT`: the proxy's address, stays the same across `reload`. */
  url: string;
  port: number;
  /** The master process. */
  pid: number;
  /** The set-up in force. */
  setup: ProxySetup;
  /**
   * Write a new configuration and reload (SIGHUP); resolves when new connections reach the new
   * one. Old workers finish what they hold for at most a second (`worker_shutdown_timeout`), then
   * their connections are cut.
   */
  reload(setup: ProxySetup): Promise<void>;
  /** What nginx wrote to its error log so far (warnings and errors, e.g. upstream timeouts). */
  errorLog(): string;
  /** Stop nginx (SIGTERM, and wait for the master) and delete the folder. */
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /** The binary. Default `NGINX`. */
  binary?: string;
  /** Give up waiting for the proxy to answer after this long. Default 10,000 ms. */
  startTimeoutMs?: number;
}

/** The location nginx answers itself with the configuration's generation (to see a reload take effect). */
const GENERATION_PATH = "/.telehub-nginx-generation";

/** Whether the nginx binary can be run here. */
export function nginxAvailable(binary = NGINX): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locationBlock(setup: ProxySetup): string {
  const upstream = new URL(setup.upstream);
  const lines = [
    `proxy_pass http://${upstream.host};`,
    `proxy_read_timeout ${Math.max(1, Math.round(setup.readTimeoutMs ?? 60_000))}ms;`,
    "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
  ];
  if (setup.mode === "websocket") {
    lines.push(
      "proxy_http_version 1.1;",
      "proxy_set_header Upgrade $http_upgrade;",
      "proxy_set_header Connection $connection_upgrade;",
      "proxy_buffering off;",
    );
  } else if (setup.mode === "no-upgrade") {
    lines.push("proxy_buffering off;");
  } else {
    lines.push(
      "proxy_buffering on;",
      "proxy_ignore_headers X-Accel-Buffering;",
      "proxy_buffer_size 64k;",
      "proxy_buffers 16 1m;",
      "proxy_busy_buffers_size 2m;",
      "proxy_max_temp_file_size 0;",
    );
  }
  return lines.map((line) => `      ${line}`).join("\n");
}

function configFile(dir: string, port: number, setup: ProxySetup, generation: number): string {
  // As root the workers would run as `nobody`, who cannot use the private temp folders: keep root.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  return `${user}worker_processes 1;
worker_shutdown_timeout 1s;
error_log ${join(dir, "error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "tmp", "body")};
  proxy_temp_path ${join(dir, "tmp", "proxy")};
  fastcgi_temp_path ${join(dir, "tmp", "fastcgi")};
  uwsgi_temp_path ${join(dir, "tmp", "uwsgi")};
  scgi_temp_path ${join(dir, "tmp", "scgi")};
  # The hub's own limits answer for bodies (gateway.http.maxBodyBytes), not the proxy's 1m default.
  client_max_body_size 64m;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location = ${GENERATION_PATH} { return 200 "${generation}"; }
    location / {
${locationBlock(setup)}
    }
  }
}
`;
}

/** GET the generation location on a fresh connection (a kept-alive one could reach an old worker). */
function generationAnswered(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: GENERATION_PATH, agent: false, timeout: 2_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(res.statusCode === 200 ? body : undefined));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Start `nginx -p <temp> -c <own config> -e <temp>/error.log -g 'daemon off; pid …;'` in front of
 * `setup.upstream` on a random 127.0.0.1 port; resolves when the proxy answers.
 */
export async function startNginx(setup: ProxySetup, options: StartNginxOptions = {}): Promise<PrivateNginx> {
  const binary = options.binary ?? NGINX;
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), "telehub-nginx-"));
  mkdirSync(join(dir, "tmp"));
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  const errorLogPath = join(dir, "error.log");
  const errorLog = (): string => (existsSync(errorLogPath) ? readFileSync(errorLogPath, "utf8") : "");
  let generation = 1;
  writeFileSync(conf, configFile(dir, port, setup, generation));

  const child: ChildProcess = spawn(
    binary,
    ["-p", dir, "-c", conf, "-e", errorLogPath, "-g", `daemon off; pid ${join(dir, "nginx.pid")};`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  // A test process that ends without stop() must not leave nginx behind. SIGTERM, not SIGKILL:
  // the master then stops its workers (killed, it would leave them listening).
  const stopOnExit = (): void => void child.kill("SIGTERM");
  process.once("exit", stopOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.removeListener("exit", stopOnExit);
      resolve();
    }),
  );

  const waitForGeneration = async (wanted: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if ((await generationAnswered(port)) === String(wanted)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`nginx did not answer configuration ${wanted} on 127.0.0.1:${port}\n${stderr.join("")}${errorLog().slice(-2_000)}`);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForGeneration(generation);
  } catch (error) {
    await stop();
    throw error;
  }
  const nginx: PrivateNginx = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    setup,
    async reload(next) {
      generation += 1;
      writeFileSync(conf, configFile(dir, port, next, generation));
      child.kill("SIGHUP");
      await waitForGeneration(generation);
      nginx.setup = next;
    },
    errorLog,
    stop,
  };
  return nginx;
}

/** A proxy that does not pass `Upgrade` (no WebSocket through it); `readTimeoutMs` cuts held polls. */
export function startNoUpgradeProxy(upstream: string, readTimeoutMs?: number, options?: StartNginxOptions): Promise<PrivateNginx> {
  return startNginx({ upstream, mode: "no-upgrade", ...(readTimeoutMs === undefined ? {} : { readTimeoutMs }) }, options);
}

/** A proxy that buffers whole responses: server-sent events never arrive through it (nor WebSockets). */
export function startBufferingProxy(upstream: string, options?: StartNginxOptions): Promise<PrivateNginx> {
  return startNginx({ upstream, mode: "buffering" }, options);
}
