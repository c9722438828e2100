import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CollectedMetrics, Collector } from "./collector.js";
import { metricPart } from "./collector.js";

/** A thermal zone found under the sysfs folder. */
export interface ThermalZone {
  /** `thermal_zone0`, … */
  zone: string;
  /** Its `type` file (`cpu-thermal` on a Pi), or the zone name when missing. */
  type: string;
}

/** The zones of `dir` (normally `/sys/class/thermal`) that have a readable `temp`; none when the folder is missing. */
export async function findThermalZones(dir: string): Promise<ThermalZone[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const zones: ThermalZone[] = [];
  for (const zone of entries.filter((e) => /^thermal_zone\d+$/.test(e)).sort(byZoneNumber)) {
    try {
      await readFile(join(dir, zone, "temp"), "utf8");
    } catch {
      continue;
    }
    const type = await readFile(join(dir, zone, "type"), "utf8").then(
      (text) => text.trim() || zone,
      () => zone,
    );
    zones.push({ zone, type });
  }
  return zones;
}

/** `temp` holds millidegrees Celsius as an integer. */
export function parseMillidegrees(text: string): number | undefined {
  const value = Number.parseInt(text.trim(), 10);
  return Number.isFinite(value) ? value / 1000 : undefined;
}

/**
 * CPU temperature: `cpu.temp_c` from the first zone whose type names the CPU (or the first
 * zone), and `thermal.<type>.temp_c` for every zone.
 */
export function thermalCollector(dir: string, zones: readonly ThermalZone[]): Collector {
  const cpu = zones.find((z) => /cpu|soc|x86_pkg/i.test(z.type)) ?? zones[0];
  return {
    name: "thermal",
    async collect() {
      const metrics: CollectedMetrics = {};
      for (const zone of zones) {
        const celsius = parseMillidegrees(await readFile(join(dir, zone.zone, "temp"), "utf8"));
        if (celsius === undefined) continue;
        metrics[`thermal.${metricPart(zone.type)}.temp_c`] = celsius;
        if (zone === cpu) metrics["cpu.temp_c"] = celsius;
      }
      return metrics;
    },
  };
}

function byZoneNumber(a: string, b: string): number {
  return Number(a.slice("thermal_zone".length)) - Number(b.slice("thermal_zone".length));
}
