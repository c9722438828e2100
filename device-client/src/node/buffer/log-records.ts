import type { Reading } from "../../protocol/index.js";

/**
 * Records of the `FileBuffer` log, one JSON object per line. The header opens every file
 * (written at creation and by compaction); the others replay the buffer's operations.
 */
export type LogRecord =
  | { h: 1; n: number; y: boolean }
  | { a: number; r: readonly Reading[] }
  | { k: number }
  | { d: number }
  | { x: number }
  | { t: number; o: number }
  | { s: number };

export function encodeRecord(record: LogRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** The records of a log file, and the byte length they span; whatever follows (a torn write) is ignored. */
export interface ParsedLog {
  records: LogRecord[];
  validBytes: number;
}

export function parseLog(bytes: Buffer): ParsedLog {
  const records: LogRecord[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break; // a last line without its newline was cut short by a crash
    const record = parseRecord(bytes.toString("utf8", start, end));
    if (!record) break;
    records.push(record);
    start = end + 1;
  }
  return { records, validBytes: start };
}

function parseRecord(line: string): LogRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
  if (raw.h === 1 && isSeq(raw.n) && typeof raw.y === "boolean") return { h: 1, n: raw.n, y: raw.y };
  if (isSeq(raw.a) && Array.isArray(raw.r)) return { a: raw.a, r: raw.r as Reading[] };
  if (isSeq(raw.k)) return { k: raw.k };
  if (isSeq(raw.d)) return { d: raw.d };
  if (isSeq(raw.x)) return { x: raw.x };
  if (isSeq(raw.t) && typeof raw.o === "number" && Number.isFinite(raw.o)) return { t: raw.t, o: raw.o };
  if (isSeq(raw.s)) return { s: raw.s };
  return undefined;
}
