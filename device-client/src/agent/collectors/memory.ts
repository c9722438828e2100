import { readFile } from "node:fs/promises";
import { freemem, totalmem } from "node:os";
import { join } from "node:path";
import type { CollectedMetrics, Collector } from "./collector.js";

/** `/proc/meminfo` as name → bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]) * (line.trimEnd().endsWith("kB") ? 1024 : 1));
  }
  return values;
}

/**
 * Memory in bytes: total, available (what can be had without swapping: `MemAvailable`), used
 * percent, and swap. Reads `/proc/meminfo`; where that is missing, Node's view (free, not available).
 */
export function memoryCollector(procDir = "/proc"): Collector {
  return {
    name: "memory",
    async collect() {
      const info = await readFile(join(procDir, "meminfo"), "utf8").then(parseMeminfo, () => new Map<string, number>());
      const total = info.get("MemTotal") ?? totalmem();
      const available = info.get("MemAvailable") ?? freemem();
      const metrics: CollectedMetrics = {
        "mem.total_bytes": total,
        "mem.available_bytes": available,
        "mem.used_pct": round2(((total - available) / total) * 100),
      };
      const swapTotal = info.get("SwapTotal");
      const swapFree = info.get("SwapFree");
      if (swapTotal !== undefined && swapFree !== undefined) {
        metrics["swap.total_bytes"] = swapTotal;
        metrics["swap.used_bytes"] = swapTotal - swapFree;
      }
      return metrics;
    },
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
