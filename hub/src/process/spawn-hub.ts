import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dieWithParent } from "./die-with-parent.js";
import { HUB_NODE_FLAGS } from "./node-flags.js";

export { HUB_NODE_FLAGS };

/** A hub in its own process: for crash tests (SIGKILL) and for benchmarks that measure its CPU and memory apart from the load. */
export interface HubProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** The admin API key the hub was started with. */
  adminKey: string;
  /** Wait for the process to end after a signal. */
  exited: Promise<number | null>;
  /** SIGTERM (graceful shutdown) and wait. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown at all, as in a crash or power cut of the process. */
  kill(): Promise<void>;
}

export interface SpawnHubOptions {
  /** Data folder; a fresh temp folder when absent (removed by `removeDataDir`). */
  dataDir?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Extra `TELEHUB_*` variables. */
  env?: Record<string, string>;
  /** Admin key to start with (a fixed test key by default). */
  adminKey?: string;
  /** Receives everything the process writes, stdout (its JSON log) and stderr, as it comes; stdout is discarded without it. */
  onOutput?: (text: string) => void;
}

/** The admin key spawned hubs get unless told otherwise. */
export const SPAWNED_HUB_ADMIN_KEY = `thk_${"0123456789abcdef"}_${"spawned-hub-admin-key-".repeat(2)}`;

/** Start `server.js` in a child process on 127.0.0.1; resolves when it listens. */
export async function spawnHub(options: SpawnHubOptions = {}): Promise<HubProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "telehub-hub-"));
  const adminKey = options.adminKey ?? SPAWNED_HUB_ADMIN_KEY;
  const server = fileURLToPath(new URL("../server.js", import.meta.url));
  // SIGTERM: a hub whose test process was killed shuts down as it would when stopped.
  const child: ChildProcess = spawn(...dieWithParent(process.execPath, [...HUB_NODE_FLAGS, server], "SIGTERM"), {
    env: {
      ...process.env,
      TELEHUB_HOST: "127.0.0.1",
      TELEHUB_PORT: String(options.port ?? 0),
      TELEHUB_DATA_DIR: dataDir,
      TELEHUB_ADMIN_KEY: adminKey,
      TELEHUB_LOG_LEVEL: "warn",
      // Tests and benchmarks send fixed timestamps (2023, 2025): no past side of the timestamp window.
      TELEHUB_INGEST_MAX_PAST_MS: "0",
      ...options.env,
    },
    stdio: ["ignore", options.onOutput ? "pipe" : "ignore", "pipe"],
  });
  const { onOutput } = options;
  if (onOutput) {
    child.stdout?.on("data", (chunk: Buffer) => onOutput(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => onOutput(chunk.toString()));
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error("the hub did not start within 20 s")), 20_000);
    void exited.then((code) => fail(new Error(`the hub exited with ${code} before listening`)));
    lines.on("line", (line) => {
      const match = /^telehub-hub listening on (\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      } else {
        process.stderr.write(`${line}\n`);
      }
    });
  });
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid as number,
    dataDir,
    adminKey,
    exited,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}

/** Remove a spawned hub's data folder. */
export function removeDataDir(hub: HubProcess): void {
  rmSync(hub.dataDir, { recursive: true, force: true });
}
