import { randomBytes } from "node:crypto";
import { DEVICE_PATH, SUBPROTOCOL } from "@telehub/device-client/protocol";

/** The bytes of a device's WebSocket upgrade with Basic credentials, for tests that speak raw TCP. */
export function deviceUpgradeRequest(credentials: { deviceId: string; token: string }): string {
  const basic = Buffer.from(`${credentials.deviceId}:${credentials.token}`).toString("base64");
  return [
    `GET ${DEVICE_PATH} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    `Sec-WebSocket-Protocol: ${SUBPROTOCOL}`,
    `Authorization: Basic ${basic}`,
    "",
    "",
  ].join("\r\n");
}
