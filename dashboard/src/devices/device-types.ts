import type { DeviceView } from "@telehub/hub";
import type { MetricValue } from "../live/live-types";

/** A device as the hub's API shows it (docs/api.md, "Devices"). */
export type Device = DeviceView;

/** `GET /devices/:id/latest`. */
export interface Latest {
  data: { metric: string; ts: number; value: MetricValue; receivedAt: number }[];
  lastReadingAt: number | null;
  freshnessMs: number | null;
}

/** What the dashboard knows now of a device's newest values: from `/latest`, then live. */
export interface DeviceLiveState {
  values: Record<string, { ts: number; value: MetricValue }>;
  lastReadingAt: number | null;
  connected?: boolean;
  presenceAt?: number;
}
