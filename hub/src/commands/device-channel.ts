import type { HubFrame } from "@telehub/device-client/protocol";

/** How commands and configuration reach a connected device (the gateway implements it). */
export interface DeviceChannel {
  /** Send a frame to the device's open session; false if it has none. */
  send(deviceId: string, frame: HubFrame): boolean;
}
