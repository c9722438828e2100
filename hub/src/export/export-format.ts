import { stringify } from "csv-stringify/sync";
import type { RawPoint } from "../storage/telemetry-store.js";

/** The export's formats: CSV (`time,metric,value`) or one JSON document. */
export type ExportFormat = "csv" | "json";

/** What frames the exported values: the export's window and whether it stops short of the window. */
export interface ExportFrame {
  deviceId: string;
  from: number;
  to: number;
  /** The window holds more than `maxRows` values; the export sends the first `maxRows`. */
  truncated: boolean;
  maxRows: number;
}

/** The CSV line that ends a truncated export (after the last row). */
export function truncationMarker(maxRows: number): string {
  return `# truncated: more than ${maxRows} rows; narrow the range\n`;
}

/**
 * Booleans as `true`/`false` (csv-stringify writes `1` and an empty field), numbers as
 * JavaScript prints them; fields with commas, quotes or line breaks are quoted, quotes doubled.
 */
const CSV_OPTIONS = {
  cast: { boolean: (value: boolean) => (value ? "true" : "false") },
} as const;

/** The CSV of an export, chunk by chunk: a header row, one row per value (time as ISO 8601 UTC with ms), the marker if truncated. */
export async function* csvChunks(pages: AsyncIterable<RawPoint[]>, frame: ExportFrame): AsyncGenerator<string> {
  yield stringify([["time", "metric", "value"]]);
  for await (const page of pages) {
    yield stringify(
      page.map((point) => [new Date(point.ts).toISOString(), point.metric, point.value]),
      CSV_OPTIONS,
    );
  }
  if (frame.truncated) yield truncationMarker(frame.maxRows);
}

/** The JSON of an export, chunk by chunk: `{"device","from","to","data":[{ts,metric,value}…],"truncated"}`. */
export async function* jsonChunks(pages: AsyncIterable<RawPoint[]>, frame: ExportFrame): AsyncGenerator<string> {
  yield `{"device":${JSON.stringify(frame.deviceId)},"from":${frame.from},"to":${frame.to},"data":[`;
  let first = true;
  for await (const page of pages) {
    const items = page.map((point) => JSON.stringify({ ts: point.ts, metric: point.metric, value: point.value })).join(",");
    yield first ? items : `,${items}`;
    first = false;
  }
  yield `],"truncated":${frame.truncated}}`;
}
