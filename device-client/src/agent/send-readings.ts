import type { TelehubClient } from "../node/index.js";
import type { AgentLog } from "./agent-log.js";
import type { CollectedMetrics } from "./collectors/collector.js";

/**
 * Hand one round to the client as readings of one timestamp, split so that none has more
 * metrics than the hub allows (many network interfaces can pass 64). A reading the client
 * refuses (e.g. a custom collector's over-long string) is logged and left out.
 */
export function sendReadings(client: TelehubClient, metrics: CollectedMetrics, timestamp: number, log: AgentLog): void {
  const entries = Object.entries(metrics);
  const size = client.hubLimits.maxMetricsPerReading;
  for (let start = 0; start < entries.length; start += size) {
    try {
      client.send(Object.fromEntries(entries.slice(start, start + size)), timestamp);
    } catch (error) {
      log.warn(`a reading was left out: ${(error as Error).message}`);
    }
  }
}
