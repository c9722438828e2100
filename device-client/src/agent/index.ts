/** The Raspberry Pi agent (`telehub-agent`) as a library: configuration, collectors, the agent loop. */
export {
  type AgentConfig,
  BUILTIN_COLLECTORS,
  type CustomCollectorConfig,
  DEFAULT_CONFIG_FILE,
  loadAgentConfig,
  parseAgentConfig,
  type ScriptConfig,
} from "./agent-config.js";
export { type AgentLog, SILENT_LOG, STDERR_LOG } from "./agent-log.js";
export { AGENT_VERSION, boardModel, machineAttributes } from "./attributes.js";
export { CollectRound } from "./collect-round.js";
export { buildCollectors, type CollectorPaths } from "./collectors/build-collectors.js";
export type { CollectedMetrics, Collector } from "./collectors/collector.js";
export { parseCollectorOutput } from "./collectors/collector-output.js";
export { diskCollector, mountName, presentMounts } from "./collectors/disk.js";
export { loadCollector } from "./collectors/load.js";
export { memoryCollector, parseMeminfo } from "./collectors/memory.js";
export { networkCollector, parseNetDev } from "./collectors/network.js";
export { type CollectorPlugin, loadPlugin, pluginCollector } from "./collectors/plugin-collector.js";
export { shellCollector } from "./collectors/shell-collector.js";
export { findThermalZones, parseMillidegrees, thermalCollector } from "./collectors/thermal.js";
export { uptimeCollector } from "./collectors/uptime.js";
export { AgentConfigError } from "./config-error.js";
export { type ProcessOutcome, runProcess } from "./run-process.js";
export { AGENT_COMMANDS, TelehubAgent, type TelehubAgentEvents, type TelehubAgentOptions } from "./telehub-agent.js";
