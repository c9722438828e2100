import type { CommandHandler } from "../../node/index.js";
import type { ScriptConfig } from "../agent-config.js";
import { runProcess } from "../run-process.js";

/**
 * `run_script { name }`: runs the script of that name from the configuration's `scripts` (no
 * other program, and no arguments from the hub). Answers `{ exit_code, signal, timed_out,
 * stdout, stderr, truncated, duration_ms }`, with stdout and stderr cut at `maxOutputBytes`
 * each; a script that fails still answers (its exit code says so).
 */
export function runScriptCommand(
  scripts: Readonly<Record<string, ScriptConfig>>,
  maxOutputBytes: number,
  configFile: string,
): CommandHandler {
  return async (args) => {
    const name = args.name;
    if (typeof name !== "string") throw new Error("run_script needs { name: string }");
    const script = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
    if (script === undefined) {
      const allowed = Object.keys(scripts);
      throw new Error(
        `script "${name}" is not allowed: it is not under "scripts" in ${configFile} (allowed: ${allowed.length > 0 ? allowed.join(", ") : "none"})`,
      );
    }
    const outcome = await runProcess(script.command, { timeoutMs: script.timeoutMs, maxOutputBytes });
    return {
      exit_code: outcome.exitCode,
      signal: outcome.signal,
      timed_out: outcome.timedOut,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      truncated: outcome.truncated,
      duration_ms: outcome.durationMs,
    };
  };
}
