import { Alert, Box, Typography } from "@mui/material";
import { Link, Title, useLocation, useNavigate } from "react-admin";
import { FirmwareCounts } from "./FirmwareCounts";
import { FleetFilterBar } from "./FleetFilterBar";
import { cleanFleetFilter, type FleetFilter, parseFleetFilter } from "./fleet-filter";
import { ProfileGroup } from "./ProfileGroup";
import { StateCounts } from "./StateCounts";
import { useFleetSummary } from "./useFleetSummary";
import { useProfiles } from "./useProfiles";

/** The overview's filter, kept in the URL as the device list keeps its own (`?filter={…}`). */
function useUrlFilter(): [FleetFilter, (filter: FleetFilter) => void] {
  const location = useLocation();
  const navigate = useNavigate();
  const filter = parseFleetFilter(new URLSearchParams(location.search).get("filter"));
  const setFilter = (next: FleetFilter) => {
    const clean = cleanFleetFilter(next);
    const search = Object.keys(clean).length === 0 ? "" : `?filter=${encodeURIComponent(JSON.stringify(clean))}`;
    navigate({ pathname: location.pathname, search }, { replace: true });
  };
  return [filter, setFilter];
}

/**
 * The dashboard's home: the fleet counted by state (live: fetched again when a device connects
 * or disconnects) and by firmware, then the devices as tiles grouped by profile with their key
 * metrics, filtered by state, profile, firmware and label.
 */
export function FleetOverview() {
  const { summary, error } = useFleetSummary({ live: true });
  const { profiles } = useProfiles();
  const [filter, setFilter] = useUrlFilter();
  const groups = (summary?.profiles ?? [])
    .map((entry) => entry.value)
    .filter((value): value is string => value !== null && (filter.profileId === undefined || value === filter.profileId))
    .sort((a, b) => (profiles.get(a)?.name ?? a).localeCompare(profiles.get(b)?.name ?? b));
  const unprofiled = summary?.profiles.find((entry) => entry.value === null)?.count ?? 0;
  return (
    <Box sx={{ py: 2, minWidth: 0 }} data-testid="fleet-overview">
      <Title title="Fleet" />
      {error ? <Alert severity="error">{(error as Error).message}</Alert> : null}
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 3fr) minmax(0, 2fr)" }, mb: 2 }}>
        <StateCounts summary={summary} />
        <FirmwareCounts summary={summary} />
      </Box>
      <FleetFilterBar filter={filter} summary={summary} profiles={profiles} onChange={setFilter} />
      <Box sx={{ mt: 2 }}>
        {summary && groups.length === 0 && (
          <Typography color="text.secondary">No device has a profile that matches these filters.</Typography>
        )}
        {groups.map((profileId) => (
          <ProfileGroup key={profileId} profileId={profileId} profile={profiles.get(profileId)} filter={filter} />
        ))}
        {unprofiled > 0 && filter.profileId === undefined && (
          <Typography variant="body2" color="text.secondary" data-testid="unprofiled">
            {unprofiled} device{unprofiled === 1 ? " has" : "s have"} no profile: see the <Link to="/devices">device list</Link>.
          </Typography>
        )}
      </Box>
    </Box>
  );
}
