/**
 * The protocol's error catalogue: every error a device can meet, with a stable code and how
 * it reaches the device. `docs/protocol.md` documents each one; a test fails if one is missing.
 *
 * - `upgrade`: the WebSocket upgrade is refused with this HTTP status (no socket is opened);
 *   the code is in the `X-Telehub-Error` header and the JSON body.
 * - `close`: the hub closes the connection with this WebSocket close code; the code is the
 *   close reason.
 * - `frame`: the hub sends an `error` frame and the connection stays open.
 * - `result`: the device reports it in a `cmd_result` frame's `err.code`.
 */
export type ErrorDelivery =
  | { kind: "upgrade"; httpStatus: number }
  | { kind: "close"; closeCode: number }
  | { kind: "frame" }
  | { kind: "result" };

export interface ErrorSpec {
  delivery: ErrorDelivery;
  /** True when the device should try the same thing again later (after `retry` ms if given). */
  retryable: boolean;
  /** One sentence for the docs and for the error's message. */
  description: string;
}

export const PROTOCOL_ERRORS = {
  TH_AUTH_MISSING: {
    delivery: { kind: "upgrade", httpStatus: 401 },
    retryable: false,
    description: "The upgrade request carried no device credentials.",
  },
  TH_AUTH_INVALID: {
    delivery: { kind: "upgrade", httpStatus: 401 },
    retryable: false,
    description: "Unknown device id or wrong token (the two are not told apart, so ids cannot be probed).",
  },
  TH_AUTH_REVOKED: {
    delivery: { kind: "upgrade", httpStatus: 403 },
    retryable: false,
    description: "The device's credentials were revoked by an operator.",
  },
  TH_AUTH_THROTTLED: {
    delivery: { kind: "upgrade", httpStatus: 429 },
    retryable: true,
    description: "Too many failed authentications from this address; retry after `Retry-After` seconds.",
  },
  TH_SUBPROTOCOL_REQUIRED: {
    delivery: { kind: "upgrade", httpStatus: 400 },
    retryable: false,
    description: "The upgrade did not offer the `telehub.v1` subprotocol.",
  },
  TH_HUB_BUSY: {
    delivery: { kind: "upgrade", httpStatus: 503 },
    retryable: true,
    description:
      "Too many handshakes in progress (admission control), or the hub is draining before it stops; retry after the `Retry-After` seconds with backoff.",
  },
  TH_HUB_FULL: {
    delivery: { kind: "upgrade", httpStatus: 503 },
    retryable: true,
    description: "The hub holds its maximum number of device connections.",
  },
  TH_ADDRESS_FULL: {
    delivery: { kind: "upgrade", httpStatus: 503 },
    retryable: true,
    description: "The client's address holds `gateway.maxConnectionsPerAddress` device connections.",
  },
  TH_HUB_STOPPING: {
    delivery: { kind: "close", closeCode: 1001 },
    retryable: true,
    description: "The hub is shutting down; reconnect with backoff (an upgrade during shutdown gets HTTP 503).",
  },
  TH_FRAME_TEXT: {
    delivery: { kind: "close", closeCode: 1003 },
    retryable: false,
    description: "A text frame arrived; the protocol uses binary frames only.",
  },
  TH_FRAME_TOO_LARGE: {
    delivery: { kind: "close", closeCode: 1009 },
    retryable: false,
    description: "A frame exceeded `maxFrameBytes`; the close reason is the code.",
  },
  TH_INTERNAL: {
    delivery: { kind: "close", closeCode: 1011 },
    retryable: true,
    description: "The hub met an unexpected condition; reconnect with backoff.",
  },
  TH_FRAME_MALFORMED: {
    delivery: { kind: "close", closeCode: 4400 },
    retryable: false,
    description:
      "A frame was not one well-formed CBOR item, not a map, had no string `t`, broke a wire rule of §2 outside a batch with a usable `seq`, or was a batch without a usable `seq`.",
  },
  TH_DEVICE_REVOKED: {
    delivery: { kind: "close", closeCode: 4403 },
    retryable: false,
    description: "The device was revoked while connected.",
  },
  TH_DEVICE_DELETED: {
    delivery: { kind: "close", closeCode: 4404 },
    retryable: false,
    description: "The device was deleted while connected.",
  },
  TH_SESSION_UNKNOWN: {
    delivery: { kind: "upgrade", httpStatus: 404 },
    retryable: true,
    description:
      "HTTP transport: the request's `sid` names no session of this device (the hub restarted, or the session ended or expired); start a new one with `hello`.",
  },
  TH_HTTP_REQUEST_INVALID: {
    delivery: { kind: "upgrade", httpStatus: 400 },
    retryable: false,
    description:
      "HTTP transport: not a `POST` of `application/cbor-seq`, a `wait` that is not a whole number of ms, a body that is not a CBOR sequence, or a first request without `hello`.",
  },
  TH_HELLO_TIMEOUT: {
    delivery: { kind: "close", closeCode: 4408 },
    retryable: true,
    description: "No `hello` frame arrived within the hub's hello timeout.",
  },
  TH_SESSION_REPLACED: {
    delivery: { kind: "close", closeCode: 4409 },
    retryable: false,
    description: "Another connection authenticated as the same device; the newest connection wins.",
  },
  TH_HEARTBEAT_TIMEOUT: {
    delivery: { kind: "close", closeCode: 4410 },
    retryable: true,
    description: "The device had not answered the hub's ping with a pong by the next heartbeat check.",
  },
  TH_PROTOCOL_VIOLATION: {
    delivery: { kind: "close", closeCode: 4422 },
    retryable: false,
    description: "A frame arrived out of order: any frame (of any type) before `hello`, a second `hello`, or a malformed `hello`.",
  },
  TH_VERSION_UNSUPPORTED: {
    delivery: { kind: "close", closeCode: 4426 },
    retryable: false,
    description: "The `hello` named a protocol version this hub does not speak.",
  },
  TH_FLOOD: {
    delivery: { kind: "close", closeCode: 4429 },
    retryable: true,
    description: "The device kept sending after being told to slow down (`TH_RATE_LIMITED`).",
  },
  TH_FRAME_UNKNOWN_TYPE: {
    delivery: { kind: "frame" },
    retryable: false,
    description: "The frame's `t` is not a type this hub accepts; the frame is ignored.",
  },
  TH_FRAME_INVALID: {
    delivery: { kind: "frame" },
    retryable: false,
    description: "A frame of a known type had fields missing or of the wrong type; the frame is ignored.",
  },
  TH_BATCH_INVALID: {
    delivery: { kind: "frame" },
    retryable: false,
    description: "The batch broke a rule or a limit; it is rejected whole and must not be resent.",
  },
  TH_TYPE_CONFLICT: {
    delivery: { kind: "frame" },
    retryable: false,
    description:
      "A metric's value has another type (number, boolean, text) than the device's earlier values of it; the batch is refused whole and must not be resent.",
  },
  TH_METRIC_LIMIT: {
    delivery: { kind: "frame" },
    retryable: false,
    description:
      "The batch would give the device more distinct metric names than `ingest.maxMetricsPerDevice`, or the hub more than `ingest.maxSeries`; refused whole, do not resend.",
  },
  TH_TIMESTAMP_OUT_OF_RANGE: {
    delivery: { kind: "frame" },
    retryable: false,
    description:
      "A reading's `ts` lies further in the future than `ingest.maxFutureMs` or further in the past than `ingest.maxPastMs`; refused whole, do not resend.",
  },
  TH_RATE_LIMITED: {
    delivery: { kind: "frame" },
    retryable: true,
    description:
      "The device is over `maxFramesPerSecond` or `maxBytesPerSecond` (the message names which), or sent a batch after a refused one; a batch was not stored: resend it after `retry` ms.",
  },
  TH_IN_FLIGHT_EXCEEDED: {
    delivery: { kind: "frame" },
    retryable: true,
    description: "More than `maxBatchesInFlight` batches were unacknowledged; the batch was not stored: resend it after `retry` ms.",
  },
  TH_STORE_UNAVAILABLE: {
    delivery: { kind: "frame" },
    retryable: true,
    description: "The hub could not make the batch durable; it was not stored: resend it after `retry` ms.",
  },
  TH_CMD_UNKNOWN: {
    delivery: { kind: "result" },
    retryable: false,
    description: "The device has no handler for the command's name.",
  },
  TH_CMD_FAILED: {
    delivery: { kind: "result" },
    retryable: false,
    description: "The device's handler threw; `err.msg` carries its message.",
  },
} as const satisfies Record<string, ErrorSpec>;

/** A stable protocol error code such as `TH_BATCH_INVALID`. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

/** WebSocket close code for an error delivered by closing, or undefined. */
export function closeCodeOf(code: ProtocolErrorCode): number | undefined {
  const delivery: ErrorDelivery = PROTOCOL_ERRORS[code].delivery;
  return delivery.kind === "close" ? delivery.closeCode : undefined;
}

/** The error code a close code stands for, when it is one of the catalogue's. */
export function codeOfClose(closeCode: number): ProtocolErrorCode | undefined {
  for (const [code, spec] of Object.entries(PROTOCOL_ERRORS) as [ProtocolErrorCode, ErrorSpec][]) {
    if (spec.delivery.kind === "close" && spec.delivery.closeCode === closeCode) return code;
  }
  return undefined;
}

/** An error with a catalogue code, thrown by the codec and by the hub's frame handlers. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** Sequence number of the batch the error is about, for `frame` errors. */
  readonly seq: number | undefined;
  /** Milliseconds the device should wait before retrying, for retryable errors. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ProtocolErrorCode, message?: string, details: { seq?: number; retryAfterMs?: number } = {}) {
    super(message ?? PROTOCOL_ERRORS[code].description);
    this.name = "ProtocolError";
    this.code = code;
    this.seq = details.seq;
    this.retryAfterMs = details.retryAfterMs;
  }
}
