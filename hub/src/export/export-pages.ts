import type { RawPoint, TelemetryStore } from "../storage/telemetry-store.js";

/** What an export reads: one device's values over `[from, to)`, of some metrics or all. */
export interface ExportQuery {
  deviceId: string;
  /** Only these metrics; absent: every metric. */
  metrics?: readonly string[];
  from: number;
  to: number;
}

/** Values one page holds at most (one store query, one chunk of output). */
export const EXPORT_PAGE_POINTS = 5_000;

/**
 * A device's values in `(ts, metric)` order, page by page, ending after `rows` values: what an
 * export streams. Each page is one bounded `raw` query over a time slice that starts where the
 * last page ended, so nothing holds more than a page, the store is never held open between
 * pages (writes go on), and the same code reads every store, in a worker or not. The slice
 * width adapts to the data's density so that a page is about `pageSize` values: a query over
 * all of the rest of the window would make SQLite sort the rest of the window for every page.
 * A slice that holds more than a page ends at the last complete millisecond of the answer.
 */
export async function* exportPages(
  store: TelemetryStore,
  query: ExportQuery,
  rows: number,
  pageSize = EXPORT_PAGE_POINTS,
): AsyncGenerator<RawPoint[]> {
  const window = query.to - query.from;
  let left = rows;
  let cursor = query.from;
  // The first slice from the average density (rows is at most the count, so it may be wider than needed).
  let span = rows <= 0 ? window : Math.max(1, Math.ceil((window * pageSize) / rows));
  const read = (from: number, to: number, limit: number) =>
    store.raw({ deviceId: query.deviceId, ...(query.metrics ? { metrics: query.metrics } : {}), from, to, limit });
  while (left > 0 && cursor < query.to) {
    const end = Math.min(query.to, cursor + span);
    let points = await read(cursor, end, pageSize + 1);
    let next = end;
    if (points.length > pageSize) {
      // Values of the last millisecond of the answer may go on past it: that millisecond starts the next page.
      const lastTs = (points[pageSize] as RawPoint).ts;
      if (lastTs === cursor) {
        // One millisecond holds more than a page (more metrics than pageSize): read it whole.
        points = await read(cursor, cursor + 1, Number.MAX_SAFE_INTEGER);
        next = cursor + 1;
      } else {
        points = points.filter((point) => point.ts < lastTs);
        next = lastTs;
      }
      span = Math.max(1, next - cursor);
    } else if (points.length < pageSize / 2) {
      span = Math.min(window, span * (points.length === 0 ? 8 : Math.min(8, Math.ceil(pageSize / points.length))));
    }
    cursor = next;
    if (points.length === 0) continue;
    if (points.length > left) points = points.slice(0, left);
    left -= points.length;
    yield points;
  }
}
