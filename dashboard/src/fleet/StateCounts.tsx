import { Box, Card, CardActionArea, CardContent, Skeleton, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { Link } from "react-admin";
import { deviceListPath, FLEET_STATES } from "./fleet-filter";
import type { FleetSummary } from "./fleet-types";

const COLOR = { online: "success.main", stale: "warning.main", offline: "text.secondary", never: "text.secondary", revoked: "error.main" };

function Count({
  name,
  value,
  color,
  note,
  testId,
}: {
  name: string;
  value: number | undefined;
  color?: string;
  note?: string;
  testId: string;
}) {
  return (
    <CardContent sx={{ px: 1.5 }}>
      <Typography variant="overline" component="div" sx={{ lineHeight: 1.4 }}>
        {name}
      </Typography>
      <Typography variant="h4" sx={{ color }} data-testid={testId}>
        {value ?? <Skeleton width={40} />}
      </Typography>
      {note && (
        <Typography variant="caption" color="text.secondary">
          {note}
        </Typography>
      )}
    </CardContent>
  );
}

function Cell({ children }: { children: ReactNode }) {
  return <Box sx={{ minWidth: 0 }}>{children}</Box>;
}

/**
 * The fleet counted by state (`GET /fleet/summary`), each count a link to the device list
 * filtered by that state. Stale devices are online devices too (the hub's definition).
 */
export function StateCounts({ summary }: { summary: FleetSummary | undefined }) {
  return (
    <Card
      variant="outlined"
      sx={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(96px, 1fr))", alignItems: "stretch" }}
      data-testid="state-counts"
    >
      <Cell>
        <Count name="Devices" value={summary?.total} testId="count-total" />
      </Cell>
      {FLEET_STATES.map((state) => (
        <Cell key={state.id}>
          <CardActionArea component={Link} to={deviceListPath({ state: state.id })} title={state.description} sx={{ height: "100%" }}>
            <Count
              name={state.name}
              value={summary?.[state.id]}
              color={COLOR[state.id]}
              note={state.id === "stale" ? "of the online" : undefined}
              testId={`count-${state.id}`}
            />
          </CardActionArea>
        </Cell>
      ))}
    </Card>
  );
}
