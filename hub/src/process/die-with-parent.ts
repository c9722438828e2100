import { existsSync } from "node:fs";

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));

/**
 * `command` with `args`, run so that the kernel sends it `signal` when this process dies, even by
 * SIGKILL (a test file killed at its time limit): through `setpriv --pdeathsig`, which then execs
 * the command (same pid). Without `setpriv` (util-linux), the command as it is: the exit hooks of
 * the servers the tests start still stop them when this process exits by itself.
 */
export function dieWithParent(command: string, args: readonly string[], signal: "SIGKILL" | "SIGTERM"): [string, string[]] {
  return SETPRIV === undefined ? [command, [...args]] : [SETPRIV, ["--pdeathsig", signal, "--", command, ...args]];
}
