/**
 * Frame shapes of protocol v1. Every frame is one binary WebSocket message holding one
 * CBOR map with a string field `t` naming its type. Keys are short because an ESP32 pays
 * for every byte of heap.
 */

/** A metric's value: numbers, booleans and strings keep their type end to end. */
export type MetricValue = number | boolean | string;

/** One reading: a timestamp and up to `maxMetricsPerReading` named values. */
export interface Reading {
  /** Milliseconds since the Unix epoch on the hub's clock; omitted by devices without a clock (the hub stamps its receive time). */
  ts?: number;
  /** Metric name → value. */
  m: Record<string, MetricValue>;
}

/** Device → hub, first frame on every connection. */
export interface HelloFrame {
  t: "hello";
  /** Protocol version the device speaks. */
  v: number;
  /** Firmware version string. */
  fw?: string;
  /** Hardware model, e.g. `esp32` or `rpi4`. */
  model?: string;
  /** Optional capabilities, e.g. `["batch"]`. */
  caps?: string[];
  /** The device's clock when it sent the hello (ms since epoch), echoed in `welcome.echo`. */
  time?: number;
  /** Reported attributes (IP, free memory, …): flat name → scalar. */
  attrs?: Record<string, MetricValue>;
  /** Version of the desired configuration the device has applied (0 or absent: none). */
  cfg?: number;
  /** The names of the commands the device handles (each by `COMMAND_NAME_PATTERN`, at most `MAX_HELLO_COMMANDS` of them). */
  cmds?: string[];
  /**
   * HTTP transport only (§10): the longest the device goes between two requests, in ms (a sleepy
   * device: its sleep). The session, and the device's presence, last that long after each request
   * plus `gateway.http.graceMs`. Absent: `welcome.hb`. Capped at `gateway.http.maxIntervalMs`.
   */
  ivl?: number;
}

/** Limits as carried in `welcome.lim`. */
export interface WireLimits {
  frame: number;
  batch: number;
  metrics: number;
  name: number;
  str: number;
  inflight: number;
  rate: number;
  burst: number;
  /** Bytes per second (added in v1.1: absent from older hubs). */
  bps?: number;
  /** Deepest nesting of arrays and maps in a device frame (added later in v1: absent from older hubs). */
  depth?: number;
}

/** Hub → device, answer to `hello`. */
export interface WelcomeFrame {
  t: "welcome";
  v: number;
  /** Hub clock (ms since epoch) when it sent the welcome. */
  time: number;
  /** `hello.time` echoed back, so the device can measure the round trip. */
  echo?: number;
  /** Highest batch sequence number the hub holds durably for this device (0 if none). */
  seq: number;
  /** Heartbeat interval in ms: the hub pings this often, and drops a peer silent for two intervals. */
  hb: number;
  /** Limits the hub enforces. */
  lim: WireLimits;
  /** HTTP transport only (§10): the session id every later request names (`?sid=`). */
  sid?: string;
  /** HTTP transport only: the contact interval in force (`hello.ivl`, capped; or `hb`), ms. */
  ivl?: number;
  /** HTTP transport only: the longest the hub holds a request (`?wait=` is capped at this), ms. */
  wait?: number;
}

/** Device → hub: telemetry. */
export interface BatchFrame {
  t: "batch";
  /** Positive integer, strictly increasing per device across connections. */
  seq: number;
  r: Reading[];
  /**
   * Resume: set on the first batch sent after a retryable refusal when the refused batch
   * itself is no longer buffered (dropped by the overflow policy). The hub refuses batches
   * after a refused one until the device resends from there or sets this flag.
   */
  rs?: boolean;
}

/** Hub → device: every batch with a sequence number ≤ `seq` is durable (or was rejected). */
export interface AckFrame {
  t: "ack";
  seq: number;
}

/** Hub → device: an error that does not close the connection, or that precedes a close. */
export interface ErrorFrame {
  t: "error";
  code: string;
  msg: string;
  /** The batch the error is about. */
  seq?: number;
  /** Milliseconds to wait before resending (retryable errors). */
  retry?: number;
}

/** A JSON-like value: what command arguments, results and configuration documents hold. */
export type DataValue = null | boolean | number | string | DataValue[] | { [key: string]: DataValue };

/** Hub → device: run a command. Sent again with the same `id` until the device acknowledges it. */
export interface CommandFrame {
  t: "cmd";
  /** Unique command id; a device runs each id at most once. */
  id: string;
  name: string;
  args?: { [key: string]: DataValue };
}

/** Device → hub: the command arrived (it is "delivered" only now). */
export interface CommandAckFrame {
  t: "cmd_ack";
  id: string;
}

/** Device → hub: how the command ended. Resent after a reconnect until the hub confirms it with `cmd_done`. */
export interface CommandResultFrame {
  t: "cmd_result";
  id: string;
  ok: boolean;
  /** The handler's return value (when `ok`). */
  res?: DataValue;
  /** Why it failed (when not `ok`): a code such as `TH_CMD_UNKNOWN` or `TH_CMD_FAILED`, and a message. */
  err?: { code: string; msg: string };
}

/** Hub → device: the result is recorded; the device may forget it. */
export interface CommandDoneFrame {
  t: "cmd_done";
  id: string;
}

/** Hub → device: the full desired configuration document and its version. */
export interface ConfigFrame {
  t: "config";
  v: number;
  d: { [key: string]: DataValue };
}

/** Device → hub: the configuration version the device has applied (or failed to apply). */
export interface ConfigAckFrame {
  t: "config_ack";
  v: number;
  ok: boolean;
  err?: string;
}

/** Device → hub: reported attributes (firmware, IP, uptime, free memory, …) changed. */
export interface ReportFrame {
  t: "report";
  attrs: Record<string, MetricValue>;
}

export type DeviceFrame = HelloFrame | BatchFrame | CommandAckFrame | CommandResultFrame | ConfigAckFrame | ReportFrame;
export type HubFrame = WelcomeFrame | AckFrame | ErrorFrame | CommandFrame | CommandDoneFrame | ConfigFrame;
export type Frame = DeviceFrame | HubFrame;
