import { hashSecret, verifySecret } from "../security/secrets.js";
import type { DeviceRecord, DeviceRepository, PreviousToken } from "../storage/device-repository.js";
import type { DeviceCredentials } from "./device-credentials.js";

/** Who presented the credentials, or why they were refused. */
export type DeviceAuthentication =
  | {
      device: DeviceRecord;
      /** Set when the token was the one a rotation replaced: it stops working at this time. */
      validUntil?: number;
    }
  | { failure: "unknown device" | "wrong token" };

/** Compared with when there is no hash to compare with; no token hashes to it. */
const NO_DEVICE_HASH = hashSecret("no device has this token");

/**
 * Check a device's credentials: its current token, or the token a rotation replaced while its
 * grace period runs. Revocation is the caller's to check (it answers with its own code).
 *
 * A refusal always costs the same (docs/protocol.md §1.2: an unknown id and a wrong token are not
 * told apart): one repository read that costs the same whether the device exists, and two hash
 * comparisons, against stand-ins when there is no device or no usable previous token. The full
 * record is read only once a token matched.
 */
export async function authenticateDevice(
  devices: DeviceRepository,
  credentials: DeviceCredentials,
  now: number,
): Promise<DeviceAuthentication> {
  const hashes = await devices.tokenHashes(credentials.deviceId);
  const previous = hashes?.previous !== undefined && now < hashes.previous.validUntil ? hashes.previous : undefined;
  const current = verifySecret(credentials.token, hashes?.tokenHash ?? NO_DEVICE_HASH);
  const replaced = verifySecret(credentials.token, previous?.tokenHash ?? NO_DEVICE_HASH);
  if (!hashes) return { failure: "unknown device" };
  if (!current && !replaced) return { failure: "wrong token" };
  // Deleted between the two reads: as if it had never been there.
  const device = await devices.get(credentials.deviceId);
  if (!device) return { failure: "unknown device" };
  return current ? { device } : { device, validUntil: (previous as PreviousToken).validUntil };
}
