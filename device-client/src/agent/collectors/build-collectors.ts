import type { AgentConfig } from "../agent-config.js";
import type { AgentLog } from "../agent-log.js";
import type { Collector } from "./collector.js";
import { diskCollector, presentMounts } from "./disk.js";
import { loadCollector } from "./load.js";
import { memoryCollector } from "./memory.js";
import { networkCollector } from "./network.js";
import { loadPlugin, pluginCollector } from "./plugin-collector.js";
import { shellCollector } from "./shell-collector.js";
import { findThermalZones, thermalCollector } from "./thermal.js";
import { uptimeCollector } from "./uptime.js";

/** Test doubles and overrides for the places collectors read. */
export interface CollectorPaths {
  /** Default `/proc`. */
  procDir?: string;
}

/**
 * The collectors the configuration enables, built-in first, then custom ones in file order.
 * A machine without thermal zones gets one log line and no thermal collector; mount points
 * that do not exist get one log line and are not measured. A plugin that
 * cannot be loaded is an error: the operator asked for it.
 */
export async function buildCollectors(config: AgentConfig, log: AgentLog, paths: CollectorPaths = {}): Promise<Collector[]> {
  const enabled = config.collectors;
  const collectors: Collector[] = [];
  if (enabled.thermal) {
    const zones = await findThermalZones(config.thermal.dir);
    if (zones.length > 0) collectors.push(thermalCollector(config.thermal.dir, zones));
    else log.info(`thermal: no readable ${config.thermal.dir}/thermal_zone*/temp; CPU temperature is not collected`);
  }
  if (enabled.load) collectors.push(loadCollector());
  if (enabled.memory) collectors.push(memoryCollector(paths.procDir));
  if (enabled.disk) {
    for (const mount of await presentMounts(config.disk.mounts, log)) collectors.push(diskCollector(mount));
  }
  if (enabled.network) collectors.push(networkCollector(config.network, paths.procDir));
  if (enabled.uptime) collectors.push(uptimeCollector());
  for (const [i, custom] of config.custom.entries()) {
    if ("command" in custom) {
      collectors.push(shellCollector(custom.name, custom.command, custom.timeoutMs));
      continue;
    }
    try {
      collectors.push(pluginCollector(custom.name, await loadPlugin(custom.module), custom.timeoutMs));
    } catch (error) {
      throw new Error(`${config.file}: custom[${i}] (${custom.name}): cannot load ${custom.module}: ${(error as Error).message}`);
    }
  }
  return collectors;
}
