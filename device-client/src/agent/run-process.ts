import { spawn } from "node:child_process";

/** A program to run: a string goes through `/bin/sh -c`, an array is executed directly (no shell). */
export type ProcessCommand = string | readonly string[];

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** The process group is killed (SIGKILL) after this long. Required. */
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each; the rest is counted, not kept. Required. */
  maxOutputBytes: number;
  /** Working directory. Default: the agent's. */
  cwd?: string;
}

/** How a process ended. */
export interface ProcessOutcome {
  /** Exit code, or null when it was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The first `maxOutputBytes` of stdout (UTF-8). */
  stdout: string;
  stderr: string;
  /** True when stdout or stderr was longer than `maxOutputBytes`. */
  truncated: boolean;
  durationMs: number;
}

/**
 * Run a command with a time limit and an output cap. The child gets its own process group so a
 * timeout also ends whatever a shell started. Rejects only when the program cannot be started.
 */
export function runProcess(command: ProcessCommand, options: RunProcessOptions): Promise<ProcessOutcome> {
  const [file, args] = typeof command === "string" ? ["/bin/sh", ["-c", command]] : [command[0] ?? "", command.slice(1)];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = new CappedText(options.maxOutputBytes);
    const stderr = new CappedText(options.maxOutputBytes);
    child.stdout.on("data", (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Date.now() - started,
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Keeps the first `max` bytes of a stream. */
class CappedText {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  text(): string {
    // A cut may split a multi-byte character; the decoder replaces the broken tail.
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
