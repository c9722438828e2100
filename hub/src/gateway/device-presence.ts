import type { ProtocolErrorCode } from "@telehub/device-client/protocol";
import type { DeviceTransport } from "./device-link.js";

/** What the hub knows about a device's live connection. */
export interface PresenceInfo {
  connectedAt: number;
  /** Last time anything (a frame or a heartbeat answer) arrived from the device. */
  lastSeenAt: number;
  remoteAddress: string;
  /** How the device is connected: a WebSocket, or the HTTP transport (docs/protocol.md §10). */
  transport: DeviceTransport;
  /** In a cluster, the instance that holds the session when it is another one (docs/cluster.md); absent for a session here. */
  instanceId?: string;
}

/** The gateway's view of connected devices, for the HTTP API. */
export interface DevicePresence {
  connectedIds(): string[];
  presence(deviceId: string): PresenceInfo | undefined;
  /** Close a device's connection with the catalogue code's close code; false if it was not connected. */
  disconnect(deviceId: string, code: ProtocolErrorCode): boolean;
  /**
   * Resolves once no write of the device's sessions is pending (at once if none is), so that,
   * after a `disconnect`, deleting the device's telemetry cannot race a batch still committing.
   */
  settled(deviceId: string): Promise<void>;
}
