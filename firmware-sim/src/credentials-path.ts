import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where `provision` writes and `run` reads device credentials unless `--out`/`--creds` say
 * otherwise: `$XDG_CONFIG_HOME/telehub/sim-credentials.json`, by default
 * `~/.config/telehub/sim-credentials.json`. Outside any checkout, so device tokens never end
 * up in a work tree (or a commit).
 */
export function defaultCredentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(configHome, "telehub", "sim-credentials.json");
}
