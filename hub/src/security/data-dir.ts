import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Mode of every folder the hub creates under its data folder: the hub's user only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the hub creates there (databases, their `-wal`/`-shm`, spool, dead letters). */
export const PRIVATE_FILE_MODE = 0o600;

/** Create `path` (and missing parents) as a private folder; an existing folder keeps its mode. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Create `path` empty with {@link PRIVATE_FILE_MODE} if it does not exist (an existing file keeps
 * its mode). SQLite gives a database's `-wal` and `-shm` the mode of the database file, so
 * creating the database this way before SQLite opens it makes all three private.
 */
export function ensurePrivateFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
}

/** A file or folder that users other than the hub's own can read or write. */
export interface ExposedPath {
  path: string;
  /** Permission bits, e.g. `0o644`. */
  mode: number;
  kind: "dir" | "file";
  /** The command that makes it private. */
  fix: string;
}

/**
 * The data folder and everything in it (recursively) whose mode gives the group or others any
 * access. Reported, not changed: an operator may have opened a folder on purpose (a backup
 * group), and a start must not silently undo that. Symbolic links are not followed.
 */
export function exposedPaths(dataDir: string): ExposedPath[] {
  const found: ExposedPath[] = [];
  const visit = (path: string): void => {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats) return;
    const mode = stats.mode & 0o777;
    const isDir = stats.isDirectory();
    if (!isDir && !stats.isFile()) return;
    if ((mode & 0o077) !== 0) {
      const wanted = isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
      found.push({ path, mode, kind: isDir ? "dir" : "file", fix: `chmod ${wanted.toString(8)} '${path.replaceAll("'", "'\\''")}'` });
    }
    if (isDir) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dataDir);
  return found;
}

/** Octal text of a mode: `0o644` → `"0644"`. */
export function modeText(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}

/** Log one warning per data-folder path that others can read, with the `chmod` that fixes it. */
export function warnAboutExposedPaths(dataDir: string, log: { warn(context: object, message: string): void }): void {
  for (const exposed of exposedPaths(dataDir)) {
    log.warn(
      { path: exposed.path, mode: modeText(exposed.mode), fix: exposed.fix },
      `${exposed.kind === "dir" ? "folder" : "file"} ${exposed.path} has mode ${modeText(exposed.mode)}: users other than the hub's can reach it; run: ${exposed.fix}`,
    );
  }
}
