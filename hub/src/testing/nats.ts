import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dieWithParent } from "../process/die-with-parent.js";
import { freePort } from "./influxd.js";

/** The Debian package's binary (`apt-get install -y nats-server`); `TELEHUB_NATS_SERVER` points elsewhere. */
export const NATS_SERVER = process.env.TELEHUB_NATS_SERVER ?? "/usr/sbin/nats-server";

/**
 * A private `nats-server` with JetStream for tests and benchmarks: one loopback port, its store in
 * one temp folder that survives `restart()` and `kill()`/`start()` (the streams and KV buckets
 * come back as a real server's would).
 */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`: the same across restarts. */
  url: string;
  port: number;
  /** The JetStream store directory (`-sd`). */
  storeDir: string;
  /** The server process's pid (changes on every start). */
  pid(): number | undefined;
  /** Stop (SIGTERM, wait) and start again on the same port and store. */
  restart(): Promise<void>;
  /** SIGKILL and wait, as in a crash; the store stays for `start()`. */
  kill(): Promise<void>;
  /** Start again after `kill()`; resolves when it accepts connections with JetStream on. */
  start(): Promise<void>;
  /** Stop (SIGTERM, wait) and delete the folder. */
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  /** The binary. Default `NATS_SERVER`. */
  binary?: string;
  /** Clients must log in with this user and `pass` (`--user`/`--pass`). Default: no authentication. */
  user?: string;
  pass?: string;
  /** Clients must present this token (`--auth`). Default: none. */
  token?: string;
  /** Give up waiting for the server to accept connections after this long. Default 15,000 ms. */
  startTimeoutMs?: number;
}

/** Whether the nats-server binary can be run here. */
export function natsAvailable(binary = NATS_SERVER): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a server on the port greets a new connection with an `INFO` that has JetStream on
 * (the server opens its client port only once JetStream is enabled, but the greeting says so).
 */
function greetsWithJetStream(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    let received = "";
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      const end = received.indexOf("\r\n");
      if (end >= 0) done(received.startsWith("INFO ") && /"jetstream":\s*true/.test(received.slice(0, end)));
    });
  });
}

/**
 * Start `nats-server -a 127.0.0.1 -p <free port> --jetstream -sd <temp>/jetstream` (plus the
 * credentials asked for); resolves when it accepts connections with JetStream on.
 */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = options.binary ?? NATS_SERVER;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), "telehub-nats-"));
  const storeDir = join(dir, "jetstream");
  const port = await freePort();
  const args = ["-a", "127.0.0.1", "-p", String(port), "--jetstream", "-sd", storeDir, "-n", `telehub-test-${port}`];
  if (options.user !== undefined) args.push("--user", options.user, "--pass", options.pass ?? "");
  if (options.token !== undefined) args.push("--auth", options.token);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const started = spawn(...dieWithParent(binary, args, "SIGKILL"), { stdio: ["ignore", "ignore", "pipe"] });
    const stderr: string[] = [];
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (stderr.length > 200) stderr.splice(0, 100);
    });
    // A test process that exits without stop() (a crash, process.exit) must not leave the server behind.
    const killOnExit = (): void => void started.kill("SIGKILL");
    process.once("exit", killOnExit);
    exited = new Promise((resolve) =>
      started.once("exit", () => {
        process.removeListener("exit", killOnExit);
        resolve();
      }),
    );
    child = started;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) break;
      if (await greetsWithJetStream(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    started.kill("SIGKILL");
    await exited;
    throw new Error(`nats-server did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms\n${stderr.join("").slice(-2_000)}`);
  };
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };

  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => child?.pid,
    async restart() {
      await signal("SIGTERM");
      await start();
    },
    kill: () => signal("SIGKILL"),
    start,
    async stop() {
      await signal("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
