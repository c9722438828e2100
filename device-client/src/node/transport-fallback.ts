import type { ConnectionEnd } from "./device-connection.js";

/** Socket errors that mean the handshake was cut after the TCP connection opened (a proxy dropping `Upgrade`). */
const CUT_DURING_HANDSHAKE: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/**
 * Whether a WebSocket attempt ended in a way that means "WebSocket does not pass this network",
 * so the client falls back to HTTP (docs/node-client.md, "Transports"):
 * - the upgrade was answered with an HTTP status **without** `X-Telehub-Error` (a proxy's 400,
 *   403, 404, 426, 502 …); a refusal that carries it is the hub's own answer and is not a reason;
 * - the socket was reset or closed before the `101` (a proxy cutting the handshake);
 * - no `101` within `connectTimeoutMs`.
 * A refused TCP connection, a failed DNS lookup or a TLS error is not: HTTP would fail the same way.
 * After the `101` nothing is a reason: the WebSocket passed.
 */
export function webSocketBlocked(end: ConnectionEnd): boolean {
  if (end.refusal) return !end.refusal.fromHub;
  if (end.upgraded !== false) return false;
  if (end.timedOut) return true;
  const code = (end.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return CUT_DURING_HANDSHAKE.has(code);
  // ws reports a socket closed before any response as "socket hang up" (code ECONNRESET); an
  // end with no cause at all before the 101 is a close nobody explained: treat it as cut.
  return end.cause === undefined && end.code === 1006;
}
