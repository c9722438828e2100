import type { AgentLog } from "./agent-log.js";
import type { CollectedMetrics, Collector } from "./collectors/collector.js";

/**
 * Asks every collector at once and merges what they answer. A collector that fails is left
 * out of this round; its failure is logged when it starts or changes, and its recovery once,
 * so a broken collector does not fill the journal every interval.
 */
export class CollectRound {
  private readonly failing = new Map<string, string>();

  constructor(
    private readonly collectors: readonly Collector[],
    private readonly log: AgentLog,
  ) {}

  async collect(): Promise<CollectedMetrics> {
    const results = await Promise.allSettled(this.collectors.map((c) => c.collect()));
    const merged: CollectedMetrics = {};
    results.forEach((result, i) => {
      const name = this.collectors[i]?.name ?? "?";
      if (result.status === "fulfilled") {
        Object.assign(merged, result.value);
        if (this.failing.delete(name)) this.log.info(`${name}: collecting again`);
        return;
      }
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      if (this.failing.get(name) !== message) this.log.warn(`${name}: ${message}`);
      this.failing.set(name, message);
    });
    return merged;
  }
}
