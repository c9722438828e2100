/*
 * The HTTP upgrade (RFC 6455 §4.1): the request with our headers, and the response head.
 * The `Sec-WebSocket-Accept` digest is not checked (it needs SHA-1, which not every Espruino
 * build has); the status and the negotiated subprotocol are.
 */

/** The upgrade request. `key` is 16 random bytes, base64. */
export function upgradeRequest(host: string, port: number, path: string, key: string, headers: { [name: string]: string }): string {
  let s = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  s += "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
  for (const name in headers) s += name + ": " + headers[name] + "\r\n";
  return s + "\r\n";
}

export interface UpgradeResponse {
  status: number;
  /** Header names in lower case. */
  headers: { [name: string]: string };
}

/** Parse a response head (without the blank line); undefined if it is not HTTP. */
export function parseUpgradeResponse(head: string): UpgradeResponse | undefined {
  const lines = head.split("\r\n");
  const status = (lines[0] as string).split(" ")[1];
  if ((lines[0] as string).indexOf("HTTP/1.") !== 0 || status === undefined) return undefined;
  let code = 0;
  for (let i = 0; i < status.length; i++) code = code * 10 + status.charCodeAt(i) - 48;
  const headers: { [name: string]: string } = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.substr(0, colon).trim().toLowerCase()] = line.substr(colon + 1).trim();
  }
  return { status: code, headers: headers };
}
