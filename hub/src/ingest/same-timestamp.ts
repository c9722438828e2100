import { type MetricValue, ProtocolError } from "@telehub/device-client/protocol";
import type { TelemetryBatch } from "../storage/telemetry-store.js";

/**
 * Two readings of one batch at the same `ts` become one point in the store (device, metric and
 * `ts` identify a value). That merge loses nothing when they carry different metrics or the same
 * value; a metric with two different values at one `ts` would lose one silently, so the batch is
 * refused (`TH_BATCH_INVALID`, naming the metric and the ts). Readings in increasing `ts` order,
 * the usual case, are passed after one comparison each.
 */
export function checkSameTimestamps(batch: TelemetryBatch): void {
  const { readings } = batch;
  let previous = Number.NEGATIVE_INFINITY;
  let ordered = true;
  for (const reading of readings) {
    if (reading.ts <= previous) {
      ordered = false;
      break;
    }
    previous = reading.ts;
  }
  if (ordered) return;
  const seen = new Map<number, Map<string, { value: MetricValue; index: number }>>();
  for (let i = 0; i < readings.length; i++) {
    const { ts, metrics } = readings[i] as TelemetryBatch["readings"][number];
    let atTs = seen.get(ts);
    if (!atTs) {
      atTs = new Map();
      seen.set(ts, atTs);
    }
    for (const metric in metrics) {
      const value = metrics[metric] as MetricValue;
      const earlier = atTs.get(metric);
      if (!earlier) atTs.set(metric, { value, index: i });
      else if (earlier.value !== value) {
        throw new ProtocolError(
          "TH_BATCH_INVALID",
          `readings ${earlier.index} and ${i}: metric ${JSON.stringify(metric)} has two different values at ts ${ts}`,
          { seq: batch.seq },
        );
      }
    }
  }
}
