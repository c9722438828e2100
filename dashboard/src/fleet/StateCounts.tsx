import { Card, CardActionArea, CardContent, Skeleton, Typography } from "@mui/material";
import { Link } from "react-admin";
import { deviceListPath, FLEET_STATES } from "./fleet-filter";
import type { FleetSummary } from "./fleet-types";

const COLOR = { online: "success.main", stale: "warning.main", offline: "text.secondary", never: "text.secondary", revoked: "error.main" };

/** The fleet counted by state (`GET /fleet/summary`), each count a link to the device list filtered by that state. */
export function StateCounts({ summary }: { summary: FleetSummary | undefined }) {
  return (
    <Card variant="outlined" sx={{ display: "flex", flexWrap: "wrap" }} data-testid="state-counts">
      <CardContent sx={{ minWidth: 100, flex: "1 1 100px" }}>
        <Typography variant="overline">Devices</Typography>
        <Typography variant="h4" data-testid="count-total">
          {summary ? summary.total : <Skeleton width={40} />}
        </Typography>
      </CardContent>
      {FLEET_STATES.map((state) => (
        <CardActionArea
          key={state.id}
          component={Link}
          to={deviceListPath({ state: state.id })}
          title={state.description}
          sx={{ minWidth: 100, flex: "1 1 100px", width: "auto" }}
        >
          <CardContent>
            <Typography variant="overline" sx={{ whiteSpace: "nowrap" }}>
              {state.name}
            </Typography>
            <Typography variant="h4" sx={{ color: COLOR[state.id] }} data-testid={`count-${state.id}`}>
              {summary ? summary[state.id] : <Skeleton width={40} />}
            </Typography>
          </CardContent>
        </CardActionArea>
      ))}
    </Card>
  );
}
