import type { MetricValue } from "@telehub/device-client/protocol";
import type { RawPoint } from "../telemetry-store.js";
import { RECEIVED_FIELD } from "./line-protocol.js";

/** A row of a raw InfluxQL answer: `time` (ms) and one column per selected field. */
export type RawRow = Record<string, unknown>;

/**
 * Merge the rows of several measurements (each oldest first) into points ordered by time, then
 * metric name, as the embedded store orders them; stops at `limit` points, so the work is
 * bounded by the answer, not by what InfluxDB sent.
 */
export function mergeRawPoints(sources: readonly (readonly RawRow[])[], limit: number): RawPoint[] {
  const next = sources.map(() => 0);
  const points: RawPoint[] = [];
  while (points.length < limit) {
    let ts = Number.POSITIVE_INFINITY;
    sources.forEach((rows, s) => {
      const row = rows[next[s] as number];
      if (row !== undefined) ts = Math.min(ts, Number(row.time));
    });
    if (ts === Number.POSITIVE_INFINITY) break;
    const atTs: RawPoint[] = [];
    sources.forEach((rows, s) => {
      const row = rows[next[s] as number];
      if (row === undefined || Number(row.time) !== ts) return;
      next[s] = (next[s] as number) + 1;
      for (const column in row) {
        const value = row[column];
        if (column === "time" || column === RECEIVED_FIELD || value === null || value === undefined) continue;
        atTs.push({ ts, metric: column, value: value as MetricValue });
      }
    });
    atTs.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    for (const point of atTs) {
      if (points.length === limit) break;
      points.push(point);
    }
  }
  return points;
}
