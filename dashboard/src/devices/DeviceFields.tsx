import { Chip, Tooltip } from "@mui/material";
import { useRecordContext } from "react-admin";
import type { MetricValue } from "../live/live-types";
import type { Device, DeviceLiveState } from "./device-types";
import { useDeviceLive } from "./FleetLiveContext";
import { ago, freshnessOf } from "./time-format";
import { useNow } from "./useNow";

/** Connected now: live presence when known, else the record. */
export function isConnected(device: Device, live: DeviceLiveState | undefined): boolean {
  return live?.connected ?? device.connected;
}

export function ConnectedChip({ connected }: { connected: boolean }) {
  return <Chip size="small" label={connected ? "online" : "offline"} color={connected ? "success" : "default"} data-testid="presence" />;
}

const FRESHNESS_COLOR = { fresh: "success", late: "warning", stale: "error", none: "default" } as const;

export function FreshnessChip({ lastReadingAt }: { lastReadingAt: number | null | undefined }) {
  const now = useNow();
  const freshness = freshnessOf(lastReadingAt, now);
  const label = freshness === "none" ? "no data" : `${freshness} · ${ago(lastReadingAt, now)}`;
  return (
    <Tooltip title="Age of the newest reading (by device time). Connected is not the same as fresh.">
      <Chip size="small" variant="outlined" label={label} color={FRESHNESS_COLOR[freshness]} data-testid="freshness" />
    </Tooltip>
  );
}

export function formatValue(value: MetricValue): string {
  return typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : String(value);
}

/** Props react-admin's Datagrid reads from its column children. */
export type ColumnProps = { label?: string; sortBy?: string; sortable?: boolean };

/** Row fields of the device list, reading the page's live state. */
export function PresenceField(_props: ColumnProps) {
  const device = useRecordContext<Device>();
  const live = useDeviceLive(String(device?.id));
  return device ? <ConnectedChip connected={isConnected(device, live)} /> : null;
}

export function LastSeenField(_props: ColumnProps) {
  const device = useRecordContext<Device>();
  const live = useDeviceLive(String(device?.id));
  const now = useNow();
  if (!device) return null;
  const seen = Math.max(device.lastSeenAt ?? 0, live?.lastReadingAt ?? 0, live?.presenceAt ?? 0) || null;
  return <span title={seen ? new Date(seen).toISOString() : ""}>{isConnected(device, live) ? "now" : ago(seen, now)}</span>;
}

export function FreshnessField(_props: ColumnProps) {
  const device = useRecordContext<Device>();
  const live = useDeviceLive(String(device?.id));
  return <FreshnessChip lastReadingAt={live?.lastReadingAt} />;
}

export function LiveValuesField(_props: ColumnProps) {
  const device = useRecordContext<Device>();
  const live = useDeviceLive(String(device?.id));
  const entries = Object.entries(live?.values ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span>–</span>;
  return (
    <span data-testid="live-values">
      {entries.slice(0, 6).map(([metric, { value }]) => (
        <span key={metric} style={{ marginRight: 12 }}>
          {metric}: <b data-metric={metric}>{formatValue(value)}</b>
        </span>
      ))}
    </span>
  );
}
