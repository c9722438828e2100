import { Box, Stack, Typography } from "@mui/material";
import { DeleteButton, Show, TopToolbar, usePermissions, useRecordContext } from "react-admin";
import { canOperate } from "../auth/credentials";
import { AttributesPanel } from "./AttributesPanel";
import { CommandConsole } from "./CommandConsole";
import { ConfigEditor } from "./ConfigEditor";
import { ConnectedChip, FreshnessChip, isConnected } from "./DeviceFields";
import type { Device } from "./device-types";
import { HistoryPanel } from "./HistoryPanel";
import { LiveCharts } from "./LiveCharts";
import { RotateTokenButton } from "./RotateTokenButton";
import { useDeviceLiveState } from "./useDeviceLiveState";

function ShowActions() {
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      {canOperate(permissions) && <RotateTokenButton />}
      {canOperate(permissions) && <DeleteButton mutationMode="pessimistic" />}
    </TopToolbar>
  );
}

function DevicePage() {
  const device = useRecordContext<Device>();
  const { permissions } = usePermissions();
  const live = useDeviceLiveState(String(device?.id ?? ""));
  if (!device) return null;
  const metrics = Object.keys(live?.values ?? {}).sort();
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      <Box sx={{ display: "flex", gap: 1, alignItems: "center" }}>
        <Typography variant="h5">{device.name}</Typography>
        <Typography color="text.secondary">{device.id}</Typography>
        <ConnectedChip connected={isConnected(device, live)} />
        <FreshnessChip lastReadingAt={live?.lastReadingAt} />
        {device.revoked && <Typography color="error">revoked</Typography>}
      </Box>
      <LiveCharts deviceId={device.id} state={live} />
      <HistoryPanel deviceId={device.id} metrics={metrics} />
      {canOperate(permissions) && <CommandConsole deviceId={device.id} />}
      <ConfigEditor deviceId={device.id} editable={canOperate(permissions)} />
      <AttributesPanel device={device} />
    </Stack>
  );
}

/** A device: live charts, history, command console, desired configuration, attributes. */
export function DeviceShow() {
  return (
    <Show actions={<ShowActions />}>
      <DevicePage />
    </Show>
  );
}
