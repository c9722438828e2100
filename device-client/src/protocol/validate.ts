import { isSequence, WIRE_DEFECT } from "./codec.js";
import { ProtocolError } from "./errors.js";
import type {
  AckFrame,
  BatchFrame,
  CommandAckFrame,
  CommandDoneFrame,
  CommandFrame,
  CommandResultFrame,
  ConfigAckFrame,
  ConfigFrame,
  ErrorFrame,
  HelloFrame,
  MetricValue,
  Reading,
  ReportFrame,
  WelcomeFrame,
} from "./frames.js";
import { COMMAND_NAME_PATTERN, MAX_COMMAND_NAME_LENGTH, MAX_HELLO_COMMANDS, METRIC_NAME_PATTERN, type ProtocolLimits } from "./limits.js";

type Raw = Record<string, unknown>;

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isTimestamp = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === "string";

function isScalarMap(v: unknown): v is Record<string, MetricValue> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  for (const value of Object.values(v)) {
    const type = typeof value;
    if (type !== "number" && type !== "boolean" && type !== "string") return false;
  }
  return true;
}

/** A command name by the protocol's rule (`cmd.name`, `hello.cmds`): {@link COMMAND_NAME_PATTERN}, at most {@link MAX_COMMAND_NAME_LENGTH} characters. */
export const isCommandName = (v: unknown): v is string =>
  typeof v === "string" && v.length <= MAX_COMMAND_NAME_LENGTH && COMMAND_NAME_PATTERN.test(v);

/** Check a `hello` frame's fields; throws `TH_PROTOCOL_VIOLATION` when a field has the wrong type. */
export function validateHello(raw: Raw): HelloFrame {
  const ok =
    isCount(raw.v) &&
    isOptionalString(raw.fw) &&
    isOptionalString(raw.model) &&
    (raw.time === undefined || isTimestamp(raw.time)) &&
    (raw.caps === undefined || (Array.isArray(raw.caps) && raw.caps.every((c) => typeof c === "string"))) &&
    (raw.attrs === undefined || isScalarMap(raw.attrs)) &&
    (raw.cfg === undefined || isCount(raw.cfg)) &&
    (raw.cmds === undefined || (Array.isArray(raw.cmds) && raw.cmds.length <= MAX_HELLO_COMMANDS && raw.cmds.every(isCommandName))) &&
    (raw.ivl === undefined || (isCount(raw.ivl) && raw.ivl >= 1));
  if (!ok)
    throw new ProtocolError(
      "TH_PROTOCOL_VIOLATION",
      `hello: v must be an integer; fw, model strings; time a timestamp; caps strings; attrs a flat map; cmds at most ${MAX_HELLO_COMMANDS} command names; ivl a whole number of ms from 1`,
    );
  return raw as unknown as HelloFrame;
}

/** A batch's `seq`; without a usable one the batch cannot be answered: `TH_FRAME_MALFORMED`. */
export function batchSequence(raw: Raw): number {
  if (!isSequence(raw.seq)) throw new ProtocolError("TH_FRAME_MALFORMED", "batch: seq must be an integer from 1 to 2^53 − 1");
  return raw.seq;
}

function rejectBatch(seq: number, why: string): never {
  throw new ProtocolError("TH_BATCH_INVALID", why, { seq });
}

/**
 * Check a `batch` frame against the protocol's rules and the given limits. A batch without
 * a usable `seq` is malformed (`TH_FRAME_MALFORMED`: it cannot be answered); any other
 * violation rejects the batch with `TH_BATCH_INVALID` and its `seq`.
 */
export function validateBatch(raw: Raw, limits: ProtocolLimits): BatchFrame {
  const seq = batchSequence(raw);
  const defect = (raw as { [WIRE_DEFECT]?: string })[WIRE_DEFECT];
  if (defect !== undefined) rejectBatch(seq, `batch: ${defect}`);
  const readings = raw.r;
  if (!Array.isArray(readings) || readings.length === 0) rejectBatch(seq, "batch: r must be a non-empty array of readings");
  if (readings.length > limits.maxReadingsPerBatch) {
    rejectBatch(seq, `batch: ${readings.length} readings exceed maxReadingsPerBatch (${limits.maxReadingsPerBatch})`);
  }
  for (let i = 0; i < readings.length; i++) validateReading(readings[i], i, seq, limits);
  return raw as unknown as BatchFrame;
}

function validateReading(reading: unknown, index: number, seq: number, limits: ProtocolLimits): asserts reading is Reading {
  if (reading === null || typeof reading !== "object" || Array.isArray(reading)) rejectBatch(seq, `reading ${index}: not a map`);
  const { ts, m } = reading as Raw;
  if (ts !== undefined && !isTimestamp(ts)) rejectBatch(seq, `reading ${index}: ts must be a non-negative number of ms`);
  if (m === null || typeof m !== "object" || Array.isArray(m)) rejectBatch(seq, `reading ${index}: m must be a map of metrics`);
  let count = 0;
  for (const name in m as Raw) {
    count++;
    if (name.length > limits.maxNameLength) {
      rejectBatch(seq, `reading ${index}: metric name longer than maxNameLength (${limits.maxNameLength})`);
    }
    if (!METRIC_NAME_PATTERN.test(name))
      rejectBatch(seq, `reading ${index}: metric name ${JSON.stringify(name)} has characters outside [A-Za-z0-9_.-/]`);
    const value = (m as Raw)[name];
    if (typeof value === "number") {
      if (!Number.isFinite(value)) rejectBatch(seq, `reading ${index}: ${name} is not a finite number`);
    } else if (typeof value === "string") {
      if (isLongerThan(value, limits.maxStringLength)) {
        rejectBatch(seq, `reading ${index}: ${name} is longer than maxStringLength (${limits.maxStringLength})`);
      }
    } else if (typeof value !== "boolean") {
      rejectBatch(seq, `reading ${index}: ${name} must be a number, boolean or string`);
    }
  }
  if (count === 0) rejectBatch(seq, `reading ${index}: no metrics`);
  if (count > limits.maxMetricsPerReading) {
    rejectBatch(seq, `reading ${index}: ${count} metrics exceed maxMetricsPerReading (${limits.maxMetricsPerReading})`);
  }
}

/**
 * Whether `text` takes more than `limit` bytes in UTF-8. A UTF-16 code unit is 1 to 3 UTF-8
 * bytes (a surrogate pair is 4 for 2 units), so the length decides it unless it lies between
 * a third of the limit and the limit.
 */
export function isLongerThan(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, "utf8") > limit;
}

const isId = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 64;
const isMap = (v: unknown): v is Raw => v !== null && typeof v === "object" && !Array.isArray(v);

function invalid(raw: Raw, why: string): never {
  throw new ProtocolError("TH_FRAME_INVALID", `${String(raw.t)}: ${why}`);
}

/** Check a `cmd_ack` frame (hub side); throws `TH_FRAME_INVALID`. */
export function validateCommandAck(raw: Raw): CommandAckFrame {
  if (!isId(raw.id)) invalid(raw, "id must be a command id");
  return raw as unknown as CommandAckFrame;
}

/** Check a `cmd_result` frame (hub side); throws `TH_FRAME_INVALID`. */
export function validateCommandResult(raw: Raw): CommandResultFrame {
  if (!isId(raw.id) || typeof raw.ok !== "boolean") invalid(raw, "id must be a command id and ok a boolean");
  if (raw.err !== undefined && !(isMap(raw.err) && typeof raw.err.code === "string" && typeof raw.err.msg === "string")) {
    invalid(raw, "err must be {code, msg}");
  }
  if (!raw.ok && raw.err === undefined) invalid(raw, "a result with ok: false needs err {code, msg}");
  return raw as unknown as CommandResultFrame;
}

/** Check a `config_ack` frame (hub side); throws `TH_FRAME_INVALID`. */
export function validateConfigAck(raw: Raw): ConfigAckFrame {
  if (!isCount(raw.v) || typeof raw.ok !== "boolean" || (raw.err !== undefined && typeof raw.err !== "string")) {
    invalid(raw, "v must be a version, ok a boolean, err a string");
  }
  if (!raw.ok && raw.err === undefined) invalid(raw, "an acknowledgement with ok: false needs err");
  return raw as unknown as ConfigAckFrame;
}

/** Check a `report` frame (hub side); throws `TH_FRAME_INVALID`. */
export function validateReport(raw: Raw): ReportFrame {
  if (!isScalarMap(raw.attrs)) invalid(raw, "attrs must be a flat map of numbers, booleans and strings");
  return raw as unknown as ReportFrame;
}

/** A frame the hub sends, checked on the device side. */
export type CheckedHubFrame = WelcomeFrame | AckFrame | ErrorFrame | CommandFrame | CommandDoneFrame | ConfigFrame;

/** Check a frame from the hub (device side). Throws `TH_FRAME_MALFORMED` on a bad shape; undefined for an unknown type. */
export function validateHubFrame(raw: { t: string } & Raw): CheckedHubFrame | undefined {
  switch (raw.t) {
    case "cmd":
      if (isId(raw.id) && typeof raw.name === "string" && (raw.args === undefined || isMap(raw.args)))
        return raw as unknown as CommandFrame;
      break;
    case "cmd_done":
      if (isId(raw.id)) return raw as unknown as CommandDoneFrame;
      break;
    case "config":
      if (isCount(raw.v) && isMap(raw.d)) return raw as unknown as ConfigFrame;
      break;
    case "welcome":
      if (isTimestamp(raw.time) && isCount(raw.seq) && isCount(raw.hb) && raw.lim !== null && typeof raw.lim === "object") {
        return raw as unknown as WelcomeFrame;
      }
      break;
    case "ack":
      if (isCount(raw.seq)) return raw as unknown as AckFrame;
      break;
    case "error":
      if (typeof raw.code === "string" && typeof raw.msg === "string") return raw as unknown as ErrorFrame;
      break;
    default:
      return undefined;
  }
  throw new ProtocolError("TH_FRAME_MALFORMED", `${raw.t}: fields missing or of the wrong type`);
}
