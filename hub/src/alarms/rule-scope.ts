import type { DeviceRecord } from "../storage/device-repository.js";
import type { RuleScope } from "./rule.js";

/**
 * What a rule's scope is matched against: the parts of a device record it names; and the device's
 * clock skew at its last hello (device − hub, ms), which puts the hub's clock on the device's.
 */
export type ScopedDevice = Pick<DeviceRecord, "id" | "profileId" | "labels" | "clockSkewMs">;

/** Whether a rule with `scope` watches `device`. A label scope needs every one of its labels, with the same value. */
export function scopeIncludes(scope: RuleScope, device: ScopedDevice): boolean {
  switch (scope.kind) {
    case "device":
      return scope.deviceId === device.id;
    case "profile":
      return scope.profileId === device.profileId;
    case "labels":
      for (const [key, value] of Object.entries(scope.labels)) if (device.labels[key] !== value) return false;
      return true;
  }
}

/** The part of a device record a scope depends on, copied (the record may be changed in place by its owner). */
export function scopedDevice(device: ScopedDevice): ScopedDevice {
  return { id: device.id, profileId: device.profileId, labels: { ...device.labels }, clockSkewMs: device.clockSkewMs };
}
