import type { MetricValue } from "@telehub/device-client/protocol";
import type { DeviceTransport } from "../gateway/device-link.js";
import type { PresenceInfo } from "../gateway/device-presence.js";
import type { DeviceRecord } from "../storage/device-repository.js";

/** A device as the API shows it: registry facts joined with live presence; never the token hash. */
export interface DeviceView {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number | null;
  connected: boolean;
  connectedAt: number | null;
  /** How the device is connected (docs/protocol.md §10); null when it is not. */
  transport: DeviceTransport | null;
  firmware: string | null;
  model: string | null;
  attributes: Record<string, MetricValue>;
  clockSkewMs: number | null;
  clockSkewFlagged: boolean;
  revoked: boolean;
  revokedAt: number | null;
  /** The device's profile; null if it has none. */
  profileId: string | null;
  /** The command names the device's last `hello` listed (`cmds`); [] if it listed none. */
  reportedCommands: string[];
}

/**
 * Join a registry record with the gateway's live presence. The stored last-seen time lags
 * (the gateway flushes it periodically), so the newer of the two is shown.
 */
export function toDeviceView(record: DeviceRecord, presence: PresenceInfo | undefined, clockSkewWarnMs: number): DeviceView {
  const lastSeenAt = presence ? Math.max(record.lastSeenAt ?? presence.lastSeenAt, presence.lastSeenAt) : record.lastSeenAt;
  return {
    id: record.id,
    name: record.name,
    labels: record.labels,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastSeenAt,
    connected: presence !== undefined,
    connectedAt: presence?.connectedAt ?? null,
    transport: presence?.transport ?? null,
    firmware: record.firmware,
    model: record.model,
    attributes: record.attributes,
    clockSkewMs: record.clockSkewMs,
    clockSkewFlagged: record.clockSkewMs !== null && Math.abs(record.clockSkewMs) > clockSkewWarnMs,
    revoked: record.revokedAt !== null,
    revokedAt: record.revokedAt,
    profileId: record.profileId,
    reportedCommands: record.reportedCommands,
  };
}
