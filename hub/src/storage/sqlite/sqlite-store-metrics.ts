import type { HubMetrics } from "../../metrics.js";

/** What the embedded store reports: narrow, so it can be relayed from a worker thread. */
export interface SqliteStoreMetrics {
  /** A merge round finished: the values it merged, and its length from start to end. */
  mergeRound(values: number, seconds: number): void;
  /** A merge round failed (the next one retries). */
  mergeFailed(): void;
}

/** The embedded store's reports, recorded in the hub's Prometheus metrics. */
export function sqliteStoreMetrics(metrics: HubMetrics): SqliteStoreMetrics {
  return {
    mergeRound(values, seconds) {
      metrics.storeMergeRounds.inc({ outcome: "merged" });
      metrics.storeMergedValues.inc(values);
      metrics.storeMergeRoundSeconds.observe(seconds);
    },
    mergeFailed: () => metrics.storeMergeRounds.inc({ outcome: "failed" }),
  };
}
