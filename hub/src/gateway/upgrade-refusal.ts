import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from "@telehub/device-client/protocol";
import type { ApiErrorCode } from "../http/api-errors.js";

/** How long a refused client has to close its side of the connection, unless the caller says otherwise (`gateway.closeTimeoutMs`). */
const REFUSED_LINGER_MS = 5_000;

/**
 * Answer a WebSocket upgrade with an HTTP error instead of accepting it. The code travels in
 * the `X-Telehub-Error` header (readable by clients that cannot parse a body) and the JSON body:
 * a protocol code for devices, an API code for the dashboard's live channel. The hub then ends its side; a client that never closes its own is cut off after `lingerMs`
 * (no HTTP timeout applies to a socket once it asked for an upgrade).
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  code: ProtocolErrorCode | ApiErrorCode | undefined,
  message: string,
  retryAfterS?: number,
  lingerMs = REFUSED_LINGER_MS,
): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code: code ?? "TH_NOT_FOUND", message } });
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (code) headers.push(`X-Telehub-Error: ${code}`);
  if (retryAfterS !== undefined) headers.push(`Retry-After: ${retryAfterS}`);
  socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), lingerMs).unref();
}

/** HTTP status of an upgrade-time catalogue code. */
export function statusOf(code: ProtocolErrorCode): number {
  const delivery = PROTOCOL_ERRORS[code].delivery;
  return delivery.kind === "upgrade" ? delivery.httpStatus : 503;
}
