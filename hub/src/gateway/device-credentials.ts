import type { IncomingMessage } from "node:http";

export interface DeviceCredentials {
  deviceId: string;
  token: string;
}

/**
 * Read device credentials from the upgrade request: `Authorization: Basic base64(id:token)`,
 * or, for clients that cannot set headers, the query `?device=ID&token=TOKEN`. A Basic header
 * is split at its last colon: a device id may contain `:`, a token never does (tokens are
 * base64url, `generateSecret`). With a Basic header the query is not read; any other scheme
 * (`Bearer`, …) is no device credential.
 */
export function readDeviceCredentials(req: IncomingMessage, url: URL): DeviceCredentials | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.lastIndexOf(":");
    if (colon > 0 && colon < decoded.length - 1) return { deviceId: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
    return undefined;
  }
  const deviceId = url.searchParams.get("device");
  const token = url.searchParams.get("token");
  if (deviceId && token) return { deviceId, token };
  return undefined;
}

/** The offered subprotocols of an upgrade request. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  return header ? header.split(",").map((p) => p.trim()) : [];
}
