import type { DataValue } from "@telehub/device-client/protocol";

/** A device's desired configuration (set by operators) and what the device reported applying. */
export interface DeviceConfigRecord {
  deviceId: string;
  /** Version of the desired document, from 1; every change adds one. */
  version: number;
  document: { [key: string]: DataValue };
  updatedAt: number;
  updatedBy: string | null;
  /** Version the device last reported applied (0: none). */
  reportedVersion: number;
  reportedAt: number | null;
  /** Why the device could not apply the last version it was sent, if it said so. */
  reportedError: string | null;
}

/** Desired configuration documents (in the metadata database); secret values are stored encrypted and read back in plain text. */
export interface DesiredConfigStore {
  get(deviceId: string): Promise<DeviceConfigRecord | undefined>;
  /** Store a new document as the next version. */
  set(deviceId: string, document: { [key: string]: DataValue }, at: number, by: string | null): Promise<DeviceConfigRecord>;
  /** Record what the device reported for `version`. */
  report(deviceId: string, version: number, error: string | null, at: number): Promise<DeviceConfigRecord | undefined>;
  delete(deviceId: string): Promise<void>;
}
