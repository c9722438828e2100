import { pathToFileURL } from "node:url";
import type { CollectedMetrics, Collector } from "./collector.js";
import { checkMetrics, prefixed } from "./collector-output.js";

/**
 * What a plugin module exports (as `collect`, or as `default.collect`):
 *
 * ```js
 * export async function collect() { return { soil_moisture: 0.42, pump_on: false }; }
 * ```
 */
export interface CollectorPlugin {
  collect(): Promise<Record<string, number | boolean | string>>;
}

/** Load the plugin module at `file` (an absolute path) and check it exports `collect()`. */
export async function loadPlugin(file: string): Promise<CollectorPlugin> {
  const module = (await import(pathToFileURL(file).href)) as { collect?: unknown; default?: { collect?: unknown } };
  const collect = module.collect ?? module.default?.collect;
  if (typeof collect !== "function") throw new Error(`${file} exports no collect() function`);
  return { collect: () => Promise.resolve(collect.call(module.collect ? module : module.default)) };
}

/** A custom collector backed by a plugin; its metrics are named `<name>.<key>`, a round is cut off after `timeoutMs`. */
export function pluginCollector(name: string, plugin: CollectorPlugin, timeoutMs: number): Collector {
  return {
    name: `custom:${name}`,
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`collect() took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const metrics: CollectedMetrics = checkMetrics(await Promise.race([plugin.collect(), timeout]));
        return prefixed(name, metrics);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
