import { Chip, Stack, Tooltip, Typography } from "@mui/material";
import { useRecordContext } from "react-admin";
import type { FleetDevice } from "../fleet/fleet-types";
import { metricText } from "../fleet/metric-text";
import { useProfiles } from "../fleet/useProfiles";
import type { MetricValue } from "../live/live-types";
import type { Device, DeviceLiveState } from "./device-types";
import { useDeviceLive } from "./FleetLiveContext";
import { LabelChips } from "./labels/LabelChips";
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

/** Online or offline, and when last seen under it. */
export function StatusField(_props: ColumnProps) {
  return (
    <Stack spacing={0.25} sx={{ alignItems: "flex-start" }}>
      <PresenceField />
      <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: "nowrap" }}>
        <LastSeenField />
      </Typography>
    </Stack>
  );
}

export function FreshnessField(_props: ColumnProps) {
  const device = useRecordContext<Device>();
  const live = useDeviceLive(String(device?.id));
  return <FreshnessChip lastReadingAt={live?.lastReadingAt} />;
}

/** Columns that may show nothing instead of "–" (the cards of the phone layout). */
type OptionalProps = ColumnProps & { hideEmpty?: boolean };

/** The device's profile by name ("–" without one). */
export function ProfileField({ hideEmpty }: OptionalProps) {
  const device = useRecordContext<FleetDevice>();
  const { profiles } = useProfiles();
  if (!device?.profileId) return hideEmpty ? null : <span>–</span>;
  const profile = profiles.get(device.profileId);
  return (
    <Chip
      size="small"
      label={profile?.name ?? device.profileId}
      title={`${profile?.name ?? device.profileId} (${device.profileId})`}
      sx={{ maxWidth: 130 }}
      data-testid="profile"
      data-profile={device.profileId}
    />
  );
}

export function LabelsField({ hideEmpty }: OptionalProps) {
  const device = useRecordContext<Device>();
  if (!device || (hideEmpty && Object.keys(device.labels).length === 0)) return null;
  return <LabelChips labels={device.labels} max={4} />;
}

/** The device's id on a line of its own, broken anywhere (ids can be long). */
export function DeviceIdLine() {
  const device = useRecordContext<Device>();
  return (
    <Typography variant="caption" component="span" sx={{ overflowWrap: "anywhere", display: "block" }} data-testid="device-id">
      {device?.id}
    </Typography>
  );
}

/** The newest values (up to 6, by name), with the unit and decimals of the device's profile where it lists the metric. */
export function LiveValuesField(_props: ColumnProps) {
  const device = useRecordContext<FleetDevice>();
  const live = useDeviceLive(String(device?.id));
  const { profiles } = useProfiles();
  const profile = device?.profileId ? profiles.get(device.profileId) : undefined;
  const entries = Object.entries(live?.values ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span>–</span>;
  return (
    <span data-testid="live-values">
      {entries.slice(0, 6).map(([metric, { value }]) => {
        const spec = profile?.metrics.find((candidate) => candidate.name === metric);
        return (
          <span key={metric} style={{ display: "block", whiteSpace: "nowrap" }}>
            {spec?.displayName ?? metric}: <b data-metric={metric}>{metricText(value, spec?.unit, spec?.decimals)}</b>
          </span>
        );
      })}
    </span>
  );
}
