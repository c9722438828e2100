import { spawnSync } from "node:child_process";

/** The open-file limit of this process (`ulimit -n`, soft and hard), read through a shell it starts. */
export function openFileLimit(): { soft: number; hard: number } {
  const out = spawnSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).stdout.trim().split("\n");
  const parse = (v: string | undefined): number => (v === "unlimited" ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: parse(out[0]), hard: parse(out[1]) };
}

const RAISED = "TELEHUB_BENCH_NOFILE_RAISED";

/**
 * Node cannot change its own limits, so when the soft open-file limit is below `wanted` and
 * the hard limit allows more, run this same program again under `ulimit -n` (the hub and the
 * baselines it starts inherit the limit) and exit with its status. Returns otherwise.
 */
export function ensureOpenFileLimit(wanted: number): void {
  const { soft, hard } = openFileLimit();
  if (soft >= wanted || hard <= soft || process.env[RAISED]) return;
  const limit = Math.min(wanted, hard);
  const command = `ulimit -n ${limit} && exec "$0" "$@"`;
  const result = spawnSync("sh", ["-c", command, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [RAISED]: "1" },
  });
  process.exit(result.status ?? 1);
}
