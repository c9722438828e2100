import { uptime } from "node:os";
import type { Collector } from "./collector.js";

/** Seconds since the system booted, and since the agent started. */
export function uptimeCollector(startedAt: number = Date.now()): Collector {
  return {
    name: "uptime",
    async collect() {
      return { uptime_s: Math.round(uptime()), "agent.uptime_s": Math.round((Date.now() - startedAt) / 1000) };
    },
  };
}
