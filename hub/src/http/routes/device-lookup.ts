import type { DeviceRecord } from "../../storage/device-repository.js";
import { ApiError } from "../api-errors.js";
import { type DeviceView, toDeviceView } from "../device-view.js";
import type { HttpApiDeps } from "../http-api-deps.js";

/** The device's record, or a `TH_API_NOT_FOUND` error. */
export async function requireDevice(deps: HttpApiDeps, id: string): Promise<DeviceRecord> {
  const device = await deps.devices.get(id);
  if (!device) throw new ApiError("TH_API_NOT_FOUND", `no device ${id}`);
  return device;
}

/** The API view of a record, joined with the gateway's presence now. */
export function viewOf(deps: HttpApiDeps, device: DeviceRecord): DeviceView {
  return toDeviceView(device, deps.presence.presence(device.id), deps.config.gateway.clockSkewWarnMs);
}
