import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/**
 * Run `exit-probe.js` in a child process with `args` (hub URL, transports) and wait at most
 * `timeoutMs` for it to exit by itself: its exit code ("timeout" if it did not; it is then
 * killed) and what it printed.
 */
export async function runExitProbe(args: string[], timeoutMs = 5_000): Promise<{ exitCode: number | null | "timeout"; output: string }> {
  const probe = fileURLToPath(new URL("./exit-probe.js", import.meta.url));
  const child = spawn(process.execPath, [probe, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = new AbortController();
  const exitCode = await Promise.race([
    new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))),
    sleep(timeoutMs, "timeout" as const, { signal: deadline.signal }),
  ]);
  deadline.abort();
  if (exitCode === "timeout") child.kill();
  return { exitCode, output };
}
