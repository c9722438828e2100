/** A configuration file that cannot be used; the message names the file and the key. */
export class AgentConfigError extends Error {
  override readonly name = "AgentConfigError";

  constructor(
    /** The file the configuration came from. */
    readonly file: string,
    /** Dotted path of the key at fault (empty for the whole file). */
    readonly key: string,
    problem: string,
  ) {
    super(`${file}: ${key === "" ? "" : `key "${key}": `}${problem}`);
  }
}
