import type { ProtocolErrorCode } from "@telehub/device-client/protocol";
import type { DeviceRecord } from "../storage/device-repository.js";
import { authenticateDevice } from "./device-authentication.js";
import type { DeviceCredentials } from "./device-credentials.js";
import type { GatewayDeps } from "./gateway-context.js";
import type { SlotRefusal } from "./handshake-slots.js";

/** Why a device's request (a WebSocket upgrade, an HTTP transport request) is refused: the code, and the status and `Retry-After` where they differ from the catalogue's. */
export interface AdmissionRefusal {
  code: ProtocolErrorCode;
  message: string;
  status?: number;
  retryAfterS?: number;
}

/** An authenticated device (docs/protocol.md §1.1). */
export interface AdmittedDevice {
  device: DeviceRecord;
  /** Set when the token was the one a rotation replaced: it stops working at this time. */
  validUntil?: number;
}

/** Failures are counted per (device id, address): guessing one device's token does not lock out the others beside it. */
export function throttleIdentity(credentials: DeviceCredentials | undefined): string {
  return credentials ? `device:${credentials.deviceId}` : "anonymous";
}

/** The checks before any work (§1.1): the failure throttle, then whether credentials were sent at all. */
export function screenCredentials(
  deps: Pick<GatewayDeps, "authThrottle">,
  credentials: DeviceCredentials | undefined,
  remoteAddress: string,
): AdmissionRefusal | undefined {
  const identity = throttleIdentity(credentials);
  const blockedMs = deps.authThrottle.blockedFor(identity, remoteAddress);
  if (blockedMs > 0) {
    return {
      code: "TH_AUTH_THROTTLED",
      message: "too many failed authentications of this device from this address",
      status: 429,
      retryAfterS: Math.ceil(blockedMs / 1000),
    };
  }
  if (!credentials) {
    deps.authThrottle.failed(identity, remoteAddress);
    return { code: "TH_AUTH_MISSING", message: "send Authorization: Basic base64(deviceId:token)" };
  }
  return undefined;
}

/** Check the token (counting a failure against the throttle) and revocation. */
export async function verifyCredentials(
  deps: Pick<GatewayDeps, "authThrottle" | "devices" | "log" | "now">,
  credentials: DeviceCredentials,
  remoteAddress: string,
): Promise<AdmittedDevice | AdmissionRefusal> {
  const identity = throttleIdentity(credentials);
  const authenticated = await authenticateDevice(deps.devices, credentials, deps.now());
  if ("failure" in authenticated) {
    deps.authThrottle.failed(identity, remoteAddress);
    deps.log.warn({ deviceId: credentials.deviceId, remoteAddress, reason: authenticated.failure }, "device authentication failed");
    return { code: "TH_AUTH_INVALID", message: "unknown device or wrong token" };
  }
  if (authenticated.device.revokedAt !== null)
    return { code: "TH_AUTH_REVOKED", message: "this device's credentials were revoked; rotate its token" };
  deps.authThrottle.succeeded(identity, remoteAddress);
  return authenticated;
}

/** No handshake slot (docs/protocol.md §6): 503 `TH_HUB_BUSY`, retry after a second with backoff. */
export function handshakeRefusal(noSlot: SlotRefusal, maxHandshakesPerAddress: number): AdmissionRefusal {
  const message =
    noSlot === "hub"
      ? "too many devices are connecting; retry with backoff"
      : `this address has ${maxHandshakesPerAddress} handshakes in progress; retry with backoff`;
  return { code: "TH_HUB_BUSY", message, status: 503, retryAfterS: 1 };
}
