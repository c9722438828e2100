import { statfs } from "node:fs/promises";
import type { CollectedMetrics, Collector } from "./collector.js";
import { metricPart } from "./collector.js";
import { round2 } from "./memory.js";

/** The metric name part of a mount point: `/` is `root`, `/boot/firmware` is `boot_firmware`. */
export function mountName(mount: string): string {
  const trimmed = mount.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "root" : metricPart(trimmed.replace(/\//g, "_"));
}

/**
 * Space on each mount point: `disk.<name>.total_bytes`, `.free_bytes` (available to
 * unprivileged users, as `df` shows) and `.used_pct` (as `df` computes it).
 */
export function diskCollector(mounts: readonly string[]): Collector {
  return {
    name: "disk",
    async collect() {
      const metrics: CollectedMetrics = {};
      for (const mount of mounts) {
        const stats = await statfs(mount);
        const total = stats.blocks * stats.bsize;
        const used = (stats.blocks - stats.bfree) * stats.bsize;
        const available = stats.bavail * stats.bsize;
        const name = mountName(mount);
        metrics[`disk.${name}.total_bytes`] = total;
        metrics[`disk.${name}.free_bytes`] = available;
        metrics[`disk.${name}.used_pct`] = used + available === 0 ? 0 : round2((used / (used + available)) * 100);
      }
      return metrics;
    },
  };
}
