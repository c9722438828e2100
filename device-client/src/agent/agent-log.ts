/** Where the agent writes what it does; one line a message (journald adds the time). */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Lines on stderr with the level in front: `info connected to …`. */
export const STDERR_LOG: AgentLog = {
  info: (message) => process.stderr.write(`info ${message}\n`),
  warn: (message) => process.stderr.write(`warn ${message}\n`),
  error: (message) => process.stderr.write(`error ${message}\n`),
};

/** Drops everything (tests, `--once`). */
export const SILENT_LOG: AgentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
