import { Box, Chip, Typography } from "@mui/material";
import type { DeviceProfile } from "@telehub/hub";
import { ConnectedChip, FreshnessChip, isConnected } from "../DeviceFields";
import type { Device, DeviceLiveState } from "../device-types";

/** The device's name, id, presence (and its transport), data freshness and profile. */
export function DeviceHeader({
  device,
  live,
  profile,
}: {
  device: Device;
  live: DeviceLiveState | undefined;
  profile: DeviceProfile | undefined;
}) {
  return (
    <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
      <Typography variant="h5" sx={{ overflowWrap: "anywhere" }}>
        {device.name}
      </Typography>
      <Typography color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
        {device.id}
      </Typography>
      <ConnectedChip connected={isConnected(device, live)} />
      {isConnected(device, live) && device.transport && (
        <Chip
          size="small"
          variant="outlined"
          data-testid="transport"
          data-transport={device.transport}
          label={device.transport === "http" ? "via HTTP" : "via WebSocket"}
          title="How the device is connected: a WebSocket, or HTTP requests with long polling (docs/protocol.md §10)"
        />
      )}
      <FreshnessChip lastReadingAt={live?.lastReadingAt} />
      <Chip
        size="small"
        variant="outlined"
        data-testid="device-profile"
        label={device.profileId ? `profile: ${profile?.name ?? device.profileId}` : "no profile"}
        {...(device.profileId && { component: "a", href: `#/profiles/${encodeURIComponent(device.profileId)}/show`, clickable: true })}
      />
      {device.revoked && <Typography color="error">revoked</Typography>}
    </Box>
  );
}
