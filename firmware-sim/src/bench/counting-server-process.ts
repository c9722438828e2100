import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface CountingServer {
  url: string;
  pid: number;
  /** Resolves once the server has counted `frames` frames; with the ms between the first and the last. */
  waitFor(frames: number, timeoutMs: number): Promise<{ frames: number; spanMs: number }>;
  stop(): Promise<void>;
}

interface Report {
  frames: number;
  firstAt: number;
  lastAt: number;
}

/** Fork the counting server (see `counting-server.ts`). */
export async function startCountingServer(): Promise<CountingServer> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./counting-server.js", import.meta.url)), { stdio: "inherit" });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve((m as { port: number }).port)));
  const report = () =>
    new Promise<Report>((resolve) => {
      child.once("message", (m) => resolve(m as Report));
      child.send("report");
    });
  return {
    url: `ws://127.0.0.1:${port}`,
    pid: child.pid as number,
    async waitFor(frames, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await report();
        if (r.frames >= frames || Date.now() > deadline) return { frames: r.frames, spanMs: r.lastAt - r.firstAt };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      await exited;
    },
  };
}
