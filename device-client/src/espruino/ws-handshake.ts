import { decimal } from "./strings.js";

/*
 * The HTTP upgrade (RFC 6455 §4.1): the request with our headers, and the response head.
 * The `Sec-WebSocket-Accept` digest is not checked (it needs SHA-1, which not every Espruino
 * build has); the status and the negotiated subprotocol are.
 */

/** The upgrade request. `key` is 16 random bytes, base64; `headers` are extra lines, each ending in CRLF. */
export function upgradeRequest(host: string, port: number, path: string, key: string, headers: string): string {
  return (
    "GET " +
    path +
    " HTTP/1.1\r\nHost: " +
    host +
    ":" +
    port +
    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
    key +
    "\r\nSec-WebSocket-Version: 13\r\n" +
    headers +
    "\r\n"
  );
}

/** The status of a response head (without the blank line); NaN if it is not HTTP/1.x. */
export function upgradeStatus(head: string): number {
  return head.substr(0, 7) === "HTTP/1." ? decimal(head.substr(9, 3)) : NaN;
}

/** A header of a response head, trimmed; "" when absent. `name` in lower case. */
export function headerOf(head: string, name: string): string {
  const at = head.toLowerCase().indexOf("\r\n" + name + ":");
  if (at < 0) return "";
  const from = at + name.length + 3;
  const end = head.indexOf("\r\n", from);
  return head.substr(from, (end < 0 ? head.length : end) - from).trim();
}
