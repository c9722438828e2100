import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CollectedMetrics, Collector } from "./collector.js";
import { metricPart } from "./collector.js";

/** Counters of one interface since boot. */
export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** `/proc/net/dev`: two header lines, then `name: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets …`. */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const interfaces = new Map<string, InterfaceCounters>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === "" || fields.length < 10 || fields.some((n) => !Number.isFinite(n))) continue;
    interfaces.set(name, { rxBytes: fields[0] ?? 0, rxPackets: fields[1] ?? 0, txBytes: fields[8] ?? 0, txPackets: fields[9] ?? 0 });
  }
  return interfaces;
}

/** Which interfaces are measured: those in `include` (all when empty) and not in `exclude`. */
export interface InterfaceFilter {
  include: readonly string[];
  exclude: readonly string[];
}

/** Byte and packet counters per interface: `net.<if>.rx_bytes`, `.rx_packets`, `.tx_bytes`, `.tx_packets`. */
export function networkCollector(filter: InterfaceFilter, procDir = "/proc"): Collector {
  return {
    name: "network",
    async collect() {
      const metrics: CollectedMetrics = {};
      for (const [name, counters] of parseNetDev(await readFile(join(procDir, "net/dev"), "utf8"))) {
        if (filter.include.length > 0 && !filter.include.includes(name)) continue;
        if (filter.exclude.includes(name)) continue;
        const prefix = `net.${metricPart(name)}`;
        metrics[`${prefix}.rx_bytes`] = counters.rxBytes;
        metrics[`${prefix}.rx_packets`] = counters.rxPackets;
        metrics[`${prefix}.tx_bytes`] = counters.txBytes;
        metrics[`${prefix}.tx_packets`] = counters.txPackets;
      }
      return metrics;
    },
  };
}
