import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the agent was told at run time and must keep across restarts (`<stateDir>/state.json`). */
export interface AgentState {
  /** Interval set by `set_interval` or the desired configuration; wins over the file's `intervalS`. */
  intervalS?: number;
  /** Version of the desired configuration applied last (reported in `hello`). */
  configVersion?: number;
}

/** The state file in `stateDir`: read at start, replaced atomically on each change. */
export class AgentStateFile {
  readonly path: string;
  private state: AgentState;

  constructor(stateDir: string) {
    this.path = join(stateDir, "state.json");
    this.state = readState(this.path);
  }

  /** The state as last read or written. */
  get current(): Readonly<AgentState> {
    return this.state;
  }

  /** Merge `change` into the state and write the file (temp file + rename, so a crash leaves the old or the new one). */
  update(change: AgentState): void {
    this.state = { ...this.state, ...change };
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(temp, this.path);
  }
}

function readState(path: string): AgentState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  try {
    const json = JSON.parse(text) as AgentState;
    const state: AgentState = {};
    if (typeof json.intervalS === "number" && json.intervalS > 0) state.intervalS = json.intervalS;
    if (typeof json.configVersion === "number" && Number.isInteger(json.configVersion)) state.configVersion = json.configVersion;
    return state;
  } catch {
    // A state file torn by a power cut: start from the configuration file again.
    return {};
  }
}
