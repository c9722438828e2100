import { type HubFrame, PROTOCOL_ERRORS, type ProtocolErrorCode } from "@telehub/device-client/protocol";
import { decodeJsonObject, encodeJson } from "./json-bytes.js";

/**
 * What one instance asks of the instance holding a device's session, on `<p>.frames.<instanceId>`:
 * hand it a frame (a command, a configuration: published, no answer), or close the session
 * (a request: the answer comes once the session's writes are settled).
 */
export type RoutedMessage =
  /** `forwarded`: sent on by an instance that no longer held the device (at most once). */
  { op: "frame"; deviceId: string; frame: HubFrame; forwarded?: boolean } | { op: "disconnect"; deviceId: string; code: ProtocolErrorCode };

/** The answer to a routed `disconnect`. */
export interface DisconnectAnswer {
  /** Whether the instance had a session of the device to close. */
  closed: boolean;
}

/** JSON: every value a hub frame holds is a JSON value (`DataValue`). */
export function encodeRouted(message: RoutedMessage | DisconnectAnswer): Uint8Array {
  return encodeJson(message);
}

/** The routed message in a NATS message's data; undefined when it is not one. */
export function parseRouted(data: Uint8Array): RoutedMessage | undefined {
  const message = decodeJsonObject(data);
  if (typeof message?.deviceId !== "string") return undefined;
  if (message.op === "frame") {
    const frame = message.frame as Record<string, unknown> | null;
    return frame !== null && typeof frame === "object" && typeof frame.t === "string" ? (message as unknown as RoutedMessage) : undefined;
  }
  if (message.op === "disconnect") {
    return typeof message.code === "string" && Object.hasOwn(PROTOCOL_ERRORS, message.code)
      ? (message as unknown as RoutedMessage)
      : undefined;
  }
  return undefined;
}
