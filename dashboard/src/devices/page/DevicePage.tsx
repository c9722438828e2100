import { Alert, Stack, Typography } from "@mui/material";
import { useMemo, useState } from "react";
import { usePermissions, useRecordContext } from "react-admin";
import { DeviceAlarmsPanel } from "../../alarms/DeviceAlarmsPanel";
import { useDeviceAlarms } from "../../alarms/useDeviceAlarms";
import { canOperate } from "../../auth/credentials";
import { useProfile } from "../../profiles/useProfile";
import { DEFAULT_RANGE, DEFAULT_REFRESH_MS } from "../../time/relative-ranges";
import { TimeToolbar } from "../../time/TimeToolbar";
import type { TimeRange } from "../../time/time-range";
import { useAutoRefresh } from "../../time/useAutoRefresh";
import { useTimeZone } from "../../time/useTimeZone";
import { AttributesPanel } from "../AttributesPanel";
import { CommandConsole } from "../CommandConsole";
import { ConfigEditor } from "../ConfigEditor";
import type { Device } from "../device-types";
import { useDeviceLiveState } from "../useDeviceLiveState";
import { ChartsMenu } from "./ChartsMenu";
import { isShown } from "./chart-choice";
import { planCharts, profileSpecs } from "./chart-plan";
import { DeviceCharts } from "./DeviceCharts";
import { DeviceHeader } from "./DeviceHeader";
import { ExportMenu } from "./ExportMenu";
import { LatestValues } from "./LatestValues";
import { useChartChoice } from "./useChartChoice";
import { useReportedSamples } from "./useReportedSamples";

/**
 * The device page: its open alarms, laid out by the device's profile (its charts in order, with
 * the device's alarm spans shaded; the user's choice of shown charts remembered in the preferences), a time bar (range, time zone, auto-refresh) that
 * every chart and time on the page follows, export, latest values, the command console, the
 * desired configuration and the reported attributes.
 */
export function DevicePage() {
  const device = useRecordContext<Device>();
  const { permissions } = usePermissions();
  const live = useDeviceLiveState(String(device?.id ?? ""));
  const { profile, isPending, error: profileError } = useProfile(device?.profileId);
  const [timeZone, setTimeZone] = useTimeZone();
  const [range, setRange] = useState<TimeRange>(DEFAULT_RANGE);
  const [refreshMs, setRefreshMs] = useState(DEFAULT_REFRESH_MS);
  const refreshKey = useAutoRefresh(range.kind === "relative" ? refreshMs : 0);
  const { choice, setShown, ready } = useChartChoice(device?.profileId);
  const samples = useReportedSamples(live);
  const charts = useMemo(() => planCharts(profile, samples), [profile, samples]);
  const specs = useMemo(() => profileSpecs(profile), [profile]);
  const alarms = useDeviceAlarms(String(device?.id ?? ""), range, refreshKey);
  if (!device) return null;
  const shown = charts.filter((chart) => isShown(chart, choice));
  const shownMetrics = [...new Set(shown.flatMap((chart) => chart.metrics.map((metric) => metric.name)))];
  return (
    <Stack spacing={2} sx={{ p: { xs: 1, sm: 2 }, minWidth: 0 }}>
      <DeviceHeader device={device} live={live} profile={profile} />
      <DeviceAlarmsPanel deviceId={device.id} open={alarms.open} error={alarms.error} />
      {profileError && (
        <Alert severity="warning" data-testid="profile-error">
          Could not read the device's profile {device.profileId} ({profileError.message}): the page is laid out without it.
        </Alert>
      )}
      <TimeToolbar
        range={range}
        onRange={setRange}
        timeZone={timeZone}
        onTimeZone={setTimeZone}
        refreshMs={refreshMs}
        onRefreshMs={setRefreshMs}
      >
        <ChartsMenu charts={charts} choice={choice} onShow={setShown} />
        <ExportMenu deviceId={device.id} range={range} shownMetrics={shownMetrics} />
      </TimeToolbar>
      {isPending || !ready ? (
        <Typography color="text.secondary">Loading the layout…</Typography>
      ) : (
        <DeviceCharts
          deviceId={device.id}
          charts={shown}
          range={range}
          timeZone={timeZone}
          live={live}
          refreshKey={refreshKey}
          alarmSpans={alarms.spans}
        />
      )}
      <LatestValues live={live} specs={specs} timeZone={timeZone} />
      {canOperate(permissions) && (
        <CommandConsole deviceId={device.id} profileCommands={profile?.commands} reportedCommands={device.reportedCommands} />
      )}
      <ConfigEditor deviceId={device.id} editable={canOperate(permissions)} />
      <AttributesPanel device={device} />
    </Stack>
  );
}
