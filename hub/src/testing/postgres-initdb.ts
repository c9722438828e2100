import { type ChildProcess, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The options every private cluster is made with (the cache below holds exactly these). */
export const INITDB_ARGS = ["-A", "trust", "-U", "postgres", "--locale=C", "-E", "UTF8", "--no-sync"] as const;

function finished(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: -1, output: error.message }));
    child.once("exit", (code) => resolve({ code, output: output.join("") }));
  });
}

/**
 * Where a pristine cluster made by this `initdb` is kept for the next test file, or undefined
 * when the binary cannot say its version.
 */
function pristinePath(initdb: string, ownerUid: number): string | undefined {
  try {
    const version = execFileSync(initdb, ["--version"], { encoding: "utf8" });
    const key = createHash("sha256")
      .update(`${initdb}\n${version}\n${INITDB_ARGS.join(" ")}`)
      .digest("hex")
      .slice(0, 16);
    return join(tmpdir(), `telehub-postgres-pristine-${ownerUid}-${key}`);
  } catch {
    return undefined;
  }
}

/** A cached cluster is used only if it is the server user's own and closed to others (as initdb leaves it). */
function trustworthy(path: string, ownerUid: number): boolean {
  try {
    const stats = statSync(path);
    return stats.isDirectory() && stats.uid === ownerUid && (stats.mode & 0o077) === 0 && existsSync(join(path, "PG_VERSION"));
  } catch {
    return false;
  }
}

/** `cp -a`: ownership and modes kept, as the server insists on them. */
function copyTree(from: string, to: string): void {
  execFileSync("cp", ["-a", from, to], { stdio: "ignore" });
}

/**
 * Make a new cluster in `data` (which must not exist): a copy of the pristine one an earlier
 * test file made with the same `initdb` (a copy takes a tenth of a second, initdb seconds on a
 * busy machine), else `initdb` itself, whose result is then kept as the pristine copy. `run`
 * runs a command as the server's user, whose uid is `ownerUid`.
 */
export async function initCluster(
  initdb: string,
  data: string,
  run: (command: string, args: string[]) => ChildProcess,
  ownerUid: number,
): Promise<void> {
  const pristine = pristinePath(initdb, ownerUid);
  if (pristine !== undefined && trustworthy(pristine, ownerUid)) {
    try {
      copyTree(pristine, data);
      return;
    } catch {
      rmSync(data, { recursive: true, force: true });
    }
  }
  const { code, output } = await finished(run(initdb, ["-D", data, ...INITDB_ARGS]));
  if (code !== 0) throw new Error(`initdb failed (${code})\n${output.slice(-2_000)}`);
  if (pristine === undefined || existsSync(pristine)) return;
  // Copied aside, then renamed into place: another test file doing the same at once loses the
  // rename and keeps its own.
  const staging = mkdtempSync(join(tmpdir(), "telehub-postgres-staging-"));
  try {
    copyTree(data, join(staging, "data"));
    renameSync(join(staging, "data"), pristine);
  } catch {
    // no cache this time
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
