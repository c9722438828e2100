import type { ProtocolErrorCode } from "../protocol/index.js";

/** Codes of errors the client raises itself (not sent by the hub). */
export type ClientErrorCode =
  /** `send()` got a reading the hub would refuse. */
  | "TH_CLIENT_INVALID_READING"
  /** The client was closed (a pending `connect()` or `flush()` is rejected with it; `send()` after `close()` throws it). */
  | "TH_CLIENT_CLOSED"
  /** `flush()` did not see every batch acknowledged in time. */
  | "TH_CLIENT_FLUSH_TIMEOUT"
  /** An upgrade refusal with an HTTP status the protocol does not define (e.g. 404: wrong path). */
  | "TH_CLIENT_UPGRADE_REFUSED";

/** An error with a stable code: a protocol catalogue code or a {@link ClientErrorCode}. */
export class TelehubClientError extends Error {
  readonly code: ProtocolErrorCode | ClientErrorCode;
  /** HTTP status of a refused upgrade, when that is how the error arrived. */
  readonly httpStatus: number | undefined;
  /** WebSocket close code, when the hub closed the connection with this error. */
  readonly closeCode: number | undefined;

  constructor(code: ProtocolErrorCode | ClientErrorCode, message: string, details: { httpStatus?: number; closeCode?: number } = {}) {
    super(message);
    this.name = "TelehubClientError";
    this.code = code;
    this.httpStatus = details.httpStatus;
    this.closeCode = details.closeCode;
  }
}

/** Thrown by `send()` for a reading the hub would refuse; a `TypeError` so callers can treat it as bad input. */
export class InvalidReadingError extends TypeError {
  readonly code = "TH_CLIENT_INVALID_READING" as const;

  constructor(message: string) {
    super(message);
    this.name = "InvalidReadingError";
  }
}
