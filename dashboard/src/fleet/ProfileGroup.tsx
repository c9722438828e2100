import { Box, Button, LinearProgress, Stack, Typography } from "@mui/material";
import { Link, useGetList } from "react-admin";
import { FleetLiveProvider } from "../devices/FleetLiveContext";
import { DeviceTile } from "./DeviceTile";
import { deviceListPath, type FleetFilter } from "./fleet-filter";
import type { FleetDevice, FleetProfile } from "./fleet-types";
import { keyMetricsOf } from "./key-metrics";

/** A group shows at most this many tiles (by natural order of ids); the rest are a link to the list. */
export const TILES_PER_GROUP = 48;

/**
 * The tiles of one profile's devices that match the overview's filter (`GET /devices` with
 * `profileId`), their key metrics from one `GET /fleet/latest`, then live.
 */
export function ProfileGroup({
  profileId,
  profile,
  filter,
}: {
  profileId: string;
  profile: FleetProfile | undefined;
  filter: FleetFilter;
}) {
  const groupFilter = { ...filter, profileId };
  const { data, total, isPending } = useGetList<FleetDevice>("devices", {
    filter: groupFilter,
    pagination: { page: 1, perPage: TILES_PER_GROUP },
    sort: { field: "id", order: "ASC" },
  });
  const metrics = keyMetricsOf(profile);
  const devices = data ?? [];
  if (!isPending && devices.length === 0) return null;
  return (
    <Box component="section" data-testid="profile-group" data-profile={profileId} sx={{ mb: 3 }}>
      <Stack direction="row" sx={{ alignItems: "baseline", gap: 1, flexWrap: "wrap", mb: 1 }}>
        <Typography variant="h6" component="h2">
          {profile?.name ?? profileId}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="group-total">
          {total ?? "…"} device{total === 1 ? "" : "s"}
        </Typography>
        <Button size="small" component={Link} to={deviceListPath(groupFilter)}>
          {total !== undefined && total > devices.length ? `All ${total} in the list` : "In the list"}
        </Button>
      </Stack>
      {isPending && <LinearProgress />}
      <FleetLiveProvider ids={devices.map((device) => device.id)} metrics={metrics.map((metric) => metric.name)}>
        <Box sx={{ display: "grid", gap: 1, gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 200px), 1fr))" }}>
          {devices.map((device) => (
            <DeviceTile key={device.id} device={device} metrics={metrics} />
          ))}
        </Box>
      </FleetLiveProvider>
    </Box>
  );
}
