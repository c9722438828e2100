import { cpus, loadavg } from "node:os";
import type { Collector } from "./collector.js";

/** Load averages over 1, 5 and 15 minutes, and the CPU count to read them against. */
export function loadCollector(): Collector {
  return {
    name: "load",
    async collect() {
      const [one = 0, five = 0, fifteen = 0] = loadavg();
      return { "load.1m": one, "load.5m": five, "load.15m": fifteen, "cpu.count": cpus().length };
    },
  };
}
