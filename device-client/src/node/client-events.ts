import type { ProtocolErrorCode, ProtocolLimits } from "../protocol/index.js";
import type { TelehubClientError } from "./client-errors.js";
import type { Transport } from "./device-connection.js";

/** `connected`: a session reached `welcome`. */
export interface ConnectedEvent {
  /** What carries the session: `"ws"` (WebSocket) or `"http"` (requests and long polling). */
  transport: Transport;
  /** Hub clock at the welcome (ms). */
  hubTime: number;
  /** The correction now added to device timestamps (0 when the measured offset is under the threshold). */
  clockOffsetMs: number;
  /** Hub time − device time as measured at this welcome. */
  measuredClockOffsetMs: number;
  /** Round trip hello → welcome on the device clock (ms). */
  roundTripMs: number;
  /** The hub's last durable seq for this device. */
  lastSeq: number;
  /** The hub's ping interval (ms). */
  heartbeatMs: number;
  /** Limits the hub enforces. */
  limits: ProtocolLimits;
  /**
   * Readings taken before the first `welcome` (on the bare device clock) that got the clock
   * offset added now; 0 at later welcomes and when no correction is needed.
   */
  restampedReadings: number;
}

/** `disconnected`: a connection (or an attempt) ended. */
export interface DisconnectedEvent {
  /** The transport of the connection (or attempt) that ended. */
  transport: Transport;
  /**
   * True when this WebSocket attempt could not pass the network and the next attempt is HTTP
   * (a proxy's status to the upgrade, a reset during the handshake, a connect timeout).
   */
  fallback: boolean;
  /**
   * WebSocket close code (1006 for a drop or a failed attempt; 4410 when the client found the hub
   * silent). Over HTTP the same codes: the close code of the `error` that ended the session, 1006
   * for a failed or refused request, 4410 for a request the hub left unanswered.
   */
  code: number;
  reason: string;
  /** The catalogue code the close or refusal stands for, when there is one. */
  errorCode: ProtocolErrorCode | undefined;
  /** HTTP status when the upgrade was refused. */
  httpStatus: number | undefined;
  willReconnect: boolean;
  /** Delay before the next attempt (0 when not reconnecting). */
  delayMs: number;
}

/** `transport`: a session reached `welcome` over another transport than the previous session (or is the first). */
export interface TransportEvent {
  transport: Transport;
  /** The previous session's transport (undefined at the first welcome). */
  previous: Transport | undefined;
}

/** `ack`: the hub made batches durable. */
export interface AckEvent {
  /** Cumulative: every batch up to this seq is durable. */
  seq: number;
  /** Readings newly acknowledged. */
  readings: number;
  batches: number;
}

/** `dropped`: the buffer was full and dropped its oldest batches. */
export interface DroppedEvent {
  batches: number;
  readings: number;
  reason: "overflow";
}

/**
 * `rejected`: the hub refused a batch permanently (an `error` frame with its `seq` and no `retry`:
 * `TH_BATCH_INVALID`, `TH_TYPE_CONFLICT`, `TH_METRIC_LIMIT`, `TH_TIMESTAMP_OUT_OF_RANGE`, or a code
 * of a later version); the batch is dropped from the buffer and never resent.
 */
export interface RejectedEvent {
  seq: number;
  /** The refusal's code, e.g. `TH_TYPE_CONFLICT`. */
  code: string;
  message: string;
  readings: number;
}

/** Events of {@link TelehubClient}. */
export type TelehubClientEvents = {
  connected: [ConnectedEvent];
  disconnected: [DisconnectedEvent];
  transport: [TransportEvent];
  ack: [AckEvent];
  dropped: [DroppedEvent];
  rejected: [RejectedEvent];
  /** Emitted only when a listener is attached (a fatal stop also rejects `connect()`). */
  error: [TelehubClientError];
};

/** Counters of {@link TelehubClient.stats}. */
export interface ClientStats {
  /** Batch frames sent, resends included. */
  sentBatches: number;
  ackedBatches: number;
  ackedReadings: number;
  /** Readings dropped by the buffer's overflow policy. */
  droppedReadings: number;
  rejectedBatches: number;
  /** Readings waiting: in the buffer and in the open batch. */
  bufferedReadings: number;
  /** Reconnection attempts scheduled. */
  reconnects: number;
  /** Send → ack time of the newest acknowledged batch (ms), undefined before the first ack. */
  lastAckLatencyMs: number | undefined;
}
