import { statSync } from "node:fs";
import type { AgentConfig } from "./agent-config.js";
import type { AgentLog } from "./agent-log.js";

/**
 * The file that holds the device token (`tokenFile`, or the configuration file for an inline
 * `token`) when users other than its owner and group can read or write it, with its mode; else
 * undefined. Group access is how the service user reads it (docs/raspberry-pi.md: `0640
 * root:telehub`); nobody else needs any.
 */
export function exposedTokenFile(config: AgentConfig): { path: string; mode: number } | undefined {
  const path = config.tokenSource === "token" ? config.file : config.tokenSource;
  if (path === "") return undefined;
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats || (stats.mode & 0o007) === 0) return undefined;
  return { path, mode: stats.mode & 0o777 };
}

/** At start: one warning line when the token's file is open to other local users, with the `chmod` that closes it. */
export function warnIfTokenExposed(config: AgentConfig, log: AgentLog): void {
  const exposed = exposedTokenFile(config);
  if (!exposed) return;
  const mode = `0${exposed.mode.toString(8).padStart(3, "0")}`;
  log.warn(
    `${exposed.path} holds the device token and has mode ${mode}: other local users can read it; run: chmod o-rwx '${exposed.path.replaceAll("'", "'\\''")}'`,
  );
}
