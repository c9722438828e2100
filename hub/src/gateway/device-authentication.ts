import { verifySecret } from "../security/secrets.js";
import type { DeviceRecord, DeviceRepository } from "../storage/device-repository.js";
import type { DeviceCredentials } from "./device-credentials.js";

/** Who presented the credentials, or why they were refused. */
export type DeviceAuthentication =
  | {
      device: DeviceRecord;
      /** Set when the token was the one a rotation replaced: it stops working at this time. */
      validUntil?: number;
    }
  | { failure: "unknown device" | "wrong token" };

/**
 * Check a device's credentials: its current token, or the token a rotation replaced while its
 * grace period runs. Revocation is the caller's to check (it answers with its own code).
 */
export async function authenticateDevice(
  devices: DeviceRepository,
  credentials: DeviceCredentials,
  now: number,
): Promise<DeviceAuthentication> {
  const device = await devices.get(credentials.deviceId);
  if (!device) return { failure: "unknown device" };
  if (verifySecret(credentials.token, device.tokenHash)) return { device };
  const previous = await devices.previousToken(device.id);
  if (previous && now < previous.validUntil && verifySecret(credentials.token, previous.tokenHash)) {
    return { device, validUntil: previous.validUntil };
  }
  return { failure: "wrong token" };
}
