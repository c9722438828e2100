import type { Device } from "../devices/device-types";
import type { MetricValue } from "../live/live-types";

/** A device as the fleet views read it (with its `profileId` and `reportedCommands`). */
export type FleetDevice = Device;

/** A device's state as the fleet filters and counts name it (`GET /devices?state=`, `GET /fleet/summary`). */
export type FleetState = "online" | "offline" | "stale" | "never" | "revoked";

/** `GET /fleet/summary`: the whole fleet counted by state, firmware, profile, model and label. */
export interface FleetSummary {
  total: number;
  online: number;
  offline: number;
  stale: number;
  revoked: number;
  never: number;
  firmware: { value: string | null; count: number }[];
  profiles: { value: string | null; count: number }[];
  models: { value: string | null; count: number }[];
  labels: { key: string; value: string; count: number }[];
}

/** `GET /fleet/latest`: per device, per metric, the newest value. */
export interface FleetLatest {
  data: Record<string, Record<string, { ts: number; value: MetricValue }>>;
}

/** The parts of a device profile (docs/api.md, "Profiles") the fleet views read. */
export interface FleetProfile {
  id: string;
  name: string;
  metrics: { name: string; type: string; kind: string; displayName?: string; unit?: string; decimals?: number }[];
  commands: { name: string; description?: string }[];
  layout: { charts: { title: string; metrics: string[]; shown?: boolean }[] };
}
