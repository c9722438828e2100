import type { IncomingMessage } from "node:http";
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from "../protocol/index.js";

/** An upgrade (or an HTTP transport request) answered with an HTTP error instead of a socket (or frames). */
export interface UpgradeRefusal {
  status: number;
  /**
   * The answer carried `X-Telehub-Error`: it is the hub's. Without it, something between the
   * device and the hub answered (a proxy's 403, 426 or 502).
   */
  fromHub: boolean;
  /** The `X-Telehub-Error` code, when it is one of the catalogue's. */
  code: ProtocolErrorCode | undefined;
  /** `Retry-After` in ms, when present. */
  retryAfterMs: number | undefined;
}

/** Read the status, `X-Telehub-Error` and `Retry-After` of a refused upgrade or request. */
export function readUpgradeRefusal(res: IncomingMessage, now: number = Date.now()): UpgradeRefusal {
  const header = res.headers["x-telehub-error"];
  const raw = Array.isArray(header) ? header[0] : header;
  const code = raw !== undefined && Object.hasOwn(PROTOCOL_ERRORS, raw) ? (raw as ProtocolErrorCode) : undefined;
  return { status: res.statusCode ?? 0, fromHub: raw !== undefined, code, retryAfterMs: parseRetryAfter(res.headers["retry-after"], now) };
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Statuses after which retrying cannot help: fix the credentials, the client or the URL. */
export function isFatalRefusal(refusal: UpgradeRefusal): boolean {
  return refusal.status === 400 || refusal.status === 401 || refusal.status === 403 || refusal.status === 404;
}
