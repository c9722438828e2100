import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "./free-port.js";

/** A private Mosquitto broker on a random loopback port. */
export interface MosquittoProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const CANDIDATES = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"];

/** Where the `mosquitto` binary is, or undefined (Debian package `mosquitto`). */
export function mosquittoBinary(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Start `mosquitto -c <own config>`: loopback only, anonymous, no persistence, and no cap on
 * queued QoS 1 messages (the default 1,000 would drop messages for a subscriber that falls
 * behind, and the comparison is about delivering all of them).
 */
export async function startMosquitto(binary: string): Promise<MosquittoProcess> {
  const dir = mkdtempSync(join(tmpdir(), "telehub-mosquitto-"));
  const port = await freeLoopbackPort();
  const config = join(dir, "mosquitto.conf");
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_queued_messages 0",
      "log_dest stderr",
      "log_type error",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(binary, ["-c", config], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not listen on 127.0.0.1:${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
