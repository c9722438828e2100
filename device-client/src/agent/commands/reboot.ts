import type { CommandHandler } from "../../node/index.js";
import type { AgentLog } from "../agent-log.js";
import { type ProcessCommand, runProcess } from "../run-process.js";

/** Options of {@link rebootCommand}. */
export interface RebootOptions {
  allowReboot: boolean;
  command: ProcessCommand;
  configFile: string;
  log: AgentLog;
  /** Run before the reboot command (the agent saves its buffer). */
  beforeReboot: () => Promise<void>;
  /** Time for the result to reach the hub before rebooting. Default 1,000 ms. */
  delayMs?: number;
}

/**
 * `reboot`: refused (the command fails) unless `allowReboot` is true. Otherwise it answers
 * `{ rebooting: true }` at once, then after `delayMs` stops the agent's sending and runs the
 * reboot command; a reboot command that fails is logged.
 */
export function rebootCommand(options: RebootOptions): CommandHandler {
  return () => {
    if (!options.allowReboot) throw new Error(`reboot refused: "allowReboot" is not true in ${options.configFile}`);
    setTimeout(() => void reboot(options), options.delayMs ?? 1_000);
    return { rebooting: true };
  };
}

async function reboot(options: RebootOptions): Promise<void> {
  options.log.warn(`reboot requested by the hub: running ${JSON.stringify(options.command)}`);
  try {
    await options.beforeReboot();
    const outcome = await runProcess(options.command, { timeoutMs: 60_000, maxOutputBytes: 4_096 });
    if (outcome.exitCode !== 0)
      options.log.error(`reboot command exited with ${outcome.exitCode ?? outcome.signal}: ${outcome.stderr.trim()}`);
  } catch (error) {
    options.log.error(`reboot command could not run: ${(error as Error).message}`);
  }
}
