import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { freePort } from "./influxd.js";
import { initCluster } from "./postgres-initdb.js";

const DEBIAN_POSTGRES = "/usr/lib/postgresql/15/bin/postgres";

/**
 * The server binary: `TELEHUB_POSTGRES`, else the Debian package's (`apt-get install -y
 * postgresql`, not on the PATH), else `postgres` on the PATH. `initdb` is taken from beside it.
 */
export const POSTGRES = process.env.TELEHUB_POSTGRES ?? (existsSync(DEBIAN_POSTGRES) ? DEBIAN_POSTGRES : "postgres");

/** A private PostgreSQL for tests and benchmarks: one loopback port, everything in one temp folder. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`: the superuser (trust authentication on loopback). */
  url: string;
  port: number;
  /** Create a fresh database (default name: a new unique one) and resolve with its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stop (fast shutdown) and start again on the same port and data. */
  restart(): Promise<void>;
  /** SIGKILL the server, as in a crash; the data stays for `start()`. */
  kill(): Promise<void>;
  /** Start again after `kill()` on the same port and data (crash recovery runs); resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stop (fast shutdown) and delete the folder. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** The server binary. Default `POSTGRES`. */
  binary?: string;
  /** `max_connections`. Default 200 (three hubs' pools and a test's own). */
  maxConnections?: number;
  /** Give up waiting for the server to accept connections after this long. Default 30,000 ms. */
  startTimeoutMs?: number;
  /**
   * `fsync`. Default false: a test server's data outlives a crash of the server (`kill()`: the kernel
   * keeps what it wrote), only a crash of the machine could cost it; and the checkpoint of a stop or a
   * DROP DATABASE after twenty CREATE DATABASEs takes 2 s instead of 40 s on a loaded two-core
   * machine. True for a benchmark whose figures must include the server's disk writes.
   */
  fsync?: boolean;
}

/** Whether the PostgreSQL server binary can be run here. */
export function postgresAvailable(binary = POSTGRES): boolean {
  try {
    if (binary.includes("/")) accessSync(binary, constants.X_OK);
    execFileSync(binary, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `initdb` beside the server binary (the Debian package keeps both off the PATH). */
function initdbOf(binary: string): string {
  return binary.includes("/") ? join(dirname(binary), "initdb") : "initdb";
}

interface Account {
  uid: number;
  gid: number;
  name: string;
}

function account(name: string): Account | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}:`));
  if (line === undefined) return undefined;
  const [, , uid, gid] = line.split(":");
  return { name, uid: Number(uid), gid: Number(gid) };
}

function available(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * How to run a command as an unprivileged user: PostgreSQL refuses to run as root. Through
 * `setpriv`, which execs the command (the server is this process's own child) and gives it
 * `--pdeathsig SIGQUIT`: a test process that dies, even by SIGKILL, takes its server with it
 * (SIGQUIT is the server's immediate shutdown). As root, as the `postgres` account (the Debian
 * package's), else `nobody`. Without `setpriv`, as root through `runuser -u postgres`, which
 * cannot do that; otherwise the command as it is.
 */
function unprivileged(): { account?: Account; wrap(command: string, args: string[]): [string, string[]] } {
  const root = process.getuid?.() === 0;
  const user = root ? (account("postgres") ?? account("nobody") ?? { name: "nobody", uid: 65534, gid: 65534 }) : undefined;
  if (available("setpriv")) {
    const identity = user ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups"] : [];
    return {
      ...(user ? { account: user } : {}),
      wrap: (command, args) => ["setpriv", [...identity, "--pdeathsig", "SIGQUIT", "--", command, ...args]],
    };
  }
  if (user) return { account: user, wrap: (command, args) => ["runuser", ["-u", user.name, "--", command, ...args]] };
  return { wrap: (command, args) => [command, args] };
}

/** Whether the server at `url` answers `SELECT 1`. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

let databases = 0;

/**
 * A new cluster (`initdb -A trust -U postgres --locale=C -E UTF8`, or a copy of the pristine one
 * an earlier start made) in a temp folder, then `postgres` listening on a random 127.0.0.1 port
 * only (its unix socket in the same folder); resolves when it accepts connections. As root, both
 * run as an unprivileged user (the folder is given to it).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binary = options.binary ?? POSTGRES;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const runAs = unprivileged();
  const dir = mkdtempSync(join(tmpdir(), "telehub-postgres-"));
  if (runAs.account) chownSync(dir, runAs.account.uid, runAs.account.gid);
  const data = join(dir, "data");
  const run = (command: string, args: string[]): ChildProcess => {
    const [wrapped, wrappedArgs] = runAs.wrap(command, args);
    // cwd: the unprivileged user may not enter the test's own working folder.
    return spawn(wrapped, wrappedArgs, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  };

  try {
    await initCluster(initdbOf(binary), data, run, runAs.account?.uid ?? (process.getuid?.() as number));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const serverArgs = [
    "-D",
    data,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${dir}`,
    "-c",
    `max_connections=${options.maxConnections ?? 200}`,
    "-c",
    "shared_buffers=32MB",
    "-c",
    `fsync=${options.fsync ? "on" : "off"}`,
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let postmasterPid: number | undefined;

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  /** The postmaster itself (behind `runuser` when that is the wrapper): signals go to it, not to the wrapper. */
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (running()) {
      const pid = postmasterPid ?? child?.pid;
      try {
        if (pid !== undefined) process.kill(pid, name);
      } catch {
        child?.kill(name);
      }
    }
    await exited;
  };

  const startOnce = async (): Promise<"up" | "exited"> => {
    const started = run(binary, serverArgs);
    const stderr: string[] = [];
    started.stdout?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    started.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    // A test process that exits without stop() must not leave the server behind: immediate shutdown.
    const quitOnExit = (): void => {
      try {
        process.kill(postmasterPid ?? (started.pid as number), "SIGQUIT");
      } catch {
        // already gone
      }
    };
    process.once("exit", quitOnExit);
    exited = new Promise((resolve) =>
      started.once("exit", () => {
        process.removeListener("exit", quitOnExit);
        resolve();
      }),
    );
    child = started;
    postmasterPid = undefined;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!running()) {
        // After a kill, a dying backend can still hold the old shared memory for a moment.
        if (stderr.join("").includes("pre-existing shared memory block")) return "exited";
        throw new Error(
          `postgres exited (${started.exitCode ?? started.signalCode}) before accepting connections\n${stderr.join("").slice(-2_000)}`,
        );
      }
      if (await answers(url)) {
        postmasterPid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
        return "up";
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await signal("SIGQUIT");
    throw new Error(`postgres did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms\n${stderr.join("").slice(-2_000)}`);
  };
  const start = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while ((await startOnce()) === "exited") {
      if (Date.now() > deadline) throw new Error("postgres: the killed server's shared memory stayed in use");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  // SIGINT is PostgreSQL's fast shutdown: clients are disconnected rather than waited for.
  const shutdown = (): Promise<void> => signal("SIGINT");

  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    async createDatabase(name = `telehub_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async restart() {
      await shutdown();
      await start();
    },
    kill: () => signal("SIGKILL"),
    start,
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
