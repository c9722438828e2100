import type { HubMetrics } from "../../metrics.js";

/** What the InfluxDB store reports: narrow, so it can be relayed from a worker thread. */
export interface InfluxStoreMetrics {
  spool(bytes: number, entries: number, drainLagSeconds: number): void;
  writeSeconds(seconds: number): void;
  writeError(status: number): void;
  /** `points` lines InfluxDB refused went to the dead-letter file. */
  deadLettered(points: number): void;
}

/** The InfluxDB store's reports, recorded in the hub's Prometheus metrics. */
export function influxStoreMetrics(metrics: HubMetrics): InfluxStoreMetrics {
  return {
    spool(bytes, entries, drainLagSeconds) {
      metrics.influxSpoolBytes.set(bytes);
      metrics.influxSpoolBatches.set(entries);
      metrics.influxDrainLag.set(drainLagSeconds);
    },
    writeSeconds: (seconds) => metrics.influxWriteSeconds.observe(seconds),
    writeError: (status) => metrics.influxWriteErrors.inc({ status: String(status) }),
    deadLettered: (points) => metrics.influxDeadLetteredPoints.inc(points),
  };
}
