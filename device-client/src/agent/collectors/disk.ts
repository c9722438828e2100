import { statfs } from "node:fs/promises";
import type { AgentLog } from "../agent-log.js";
import type { CollectedMetrics, Collector } from "./collector.js";
import { metricPart } from "./collector.js";
import { round2 } from "./memory.js";

/** The metric name part of a mount point: `/` is `root`, `/boot/firmware` is `boot_firmware`. */
export function mountName(mount: string): string {
  const trimmed = mount.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "root" : metricPart(trimmed.replace(/\//g, "_"));
}

/**
 * The mount points that exist on this machine, in order. Missing ones (the docs' example lists
 * `/boot/firmware`, which only a Pi has) are left out with one info line at start instead of a
 * warning; any other error (no permission, say) keeps the mount, so it is reported.
 */
export async function presentMounts(mounts: readonly string[], log: AgentLog): Promise<string[]> {
  const present: string[] = [];
  const missing: string[] = [];
  for (const mount of mounts) {
    try {
      await statfs(mount);
      present.push(mount);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") missing.push(mount);
      else present.push(mount);
    }
  }
  if (missing.length > 0) log.info(`disk: ${missing.join(", ")} not found on this machine; not measured`);
  return present;
}

/**
 * Space on one mount point: `disk.<name>.total_bytes`, `.free_bytes` (available to
 * unprivileged users, as `df` shows) and `.used_pct` (as `df` computes it). One collector per
 * mount, so a mount that fails (unplugged, no permission) costs only its own figures, and the
 * collect round logs it once.
 */
export function diskCollector(mount: string): Collector {
  const name = mountName(mount);
  return {
    name: `disk ${mount}`,
    async collect() {
      const stats = await statfs(mount);
      const total = stats.blocks * stats.bsize;
      const used = (stats.blocks - stats.bfree) * stats.bsize;
      const available = stats.bavail * stats.bsize;
      const metrics: CollectedMetrics = {};
      metrics[`disk.${name}.total_bytes`] = total;
      metrics[`disk.${name}.free_bytes`] = available;
      metrics[`disk.${name}.used_pct`] = used + available === 0 ? 0 : round2((used / (used + available)) * 100);
      return metrics;
    },
  };
}
