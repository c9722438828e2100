import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The compiled CLI. */
export const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Run `telehub-sim` with `args` in a child process (killed after `timeoutMs`). */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return runScript(CLI, args, options);
}

/** Run a compiled script with Node in a child process, collecting its output (killed after `timeoutMs`, default 60 s). */
export function runScript(script: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, TELEHUB_API_KEY: "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
