import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dieWithParent } from "../process/die-with-parent.js";

/** A private `influxd` for tests and benchmarks: loopback ports, everything in one temp folder. */
export interface PrivateInfluxd {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Database created at start. */
  database: string;
  /** The server's version (`X-Influxdb-Version`). */
  version: string;
  /** SIGTERM and wait; the data stays for `start()`. */
  stop(): Promise<void>;
  /** SIGKILL and wait, as in a crash of the database server; the data stays for `start()`. */
  kill(): Promise<void>;
  /** Start again on the same ports and data. */
  start(): Promise<void>;
  /** Stop and delete the folder. */
  remove(): Promise<void>;
}

export interface StartInfluxdOptions {
  /** Database to create (`CREATE DATABASE`). Default `telehub_test`. */
  database?: string;
  /** The binary. Default `influxd` on the PATH. */
  binary?: string;
  /** Give up waiting for `/ping` after this long. Default 20,000 ms. */
  startTimeoutMs?: number;
}

/** Whether `influxd` can be run here. */
export function influxdAvailable(binary = "influxd"): boolean {
  try {
    execFileSync(binary, ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free on 127.0.0.1 right now (for a server that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function configFile(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, "meta")}"

[data]
  dir = "${join(dir, "data")}"
  wal-dir = "${join(dir, "wal")}"
  query-log-enabled = false

[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false

[monitor]
  store-enabled = false

[logging]
  level = "warn"
`;
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode} before answering /ping`);
    try {
      const response = await fetch(`${url}/ping`);
      if (response.status === 204) return response.headers.get("x-influxdb-version") ?? "";
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`influxd did not answer /ping within ${timeoutMs} ms`);
}

/** Start `influxd run` with a config in a temp folder, wait for `/ping` 204, create the database. */
export async function startInfluxd(options: StartInfluxdOptions = {}): Promise<PrivateInfluxd> {
  const binary = options.binary ?? "influxd";
  const database = options.database ?? "telehub_test";
  const dir = mkdtempSync(join(tmpdir(), "telehub-influxd-"));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, "influxdb.conf"), configFile(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<string> => {
    const started = spawn(
      ...dieWithParent(binary, ["run", "-config", join(dir, "influxdb.conf"), "-pidfile", join(dir, "influxd.pid")], "SIGKILL"),
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const stderr: string[] = [];
    started.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    // A test process that exits without stop() (a crash, process.exit) must not leave influxd behind.
    const killOnExit = (): void => void started.kill("SIGKILL");
    process.once("exit", killOnExit);
    exited = new Promise((resolve) =>
      started.once("exit", () => {
        process.removeListener("exit", killOnExit);
        resolve();
      }),
    );
    child = started;
    try {
      return await waitForPing(url, started, options.startTimeoutMs ?? 20_000);
    } catch (error) {
      started.kill("SIGKILL");
      throw new Error(`${(error as Error).message}\n${stderr.join("").slice(-2_000)}`);
    }
  };
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const stop = (): Promise<void> => signal("SIGTERM");

  const version = await start();
  const response = await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }) });
  if (!response.ok) {
    await stop();
    throw new Error(`CREATE DATABASE failed: HTTP ${response.status} ${await response.text()}`);
  }
  return {
    url,
    database,
    version,
    stop,
    kill: () => signal("SIGKILL"),
    async start() {
      await start();
    },
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
