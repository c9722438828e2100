import { Box, Card, CardContent, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import { Link } from "react-admin";
import { deviceListPath } from "./fleet-filter";
import type { FleetSummary } from "./fleet-types";

/** Firmware versions with their device counts and a bar; a version links to the device list filtered by it. */
export function FirmwareCounts({ summary }: { summary: FleetSummary | undefined }) {
  const rows = [...(summary?.firmware ?? [])].sort((a, b) => b.count - a.count);
  const most = Math.max(1, ...rows.map((row) => row.count));
  return (
    <Card variant="outlined" data-testid="firmware-counts">
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          Firmware
        </Typography>
        {rows.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No devices yet.
          </Typography>
        ) : (
          <Table size="small" sx={{ tableLayout: "fixed" }}>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.value ?? "(unknown)"} data-testid="firmware-row" data-firmware={row.value ?? ""}>
                  <TableCell sx={{ overflowWrap: "anywhere", width: "45%" }}>
                    {row.value === null ? <i>not reported</i> : <Link to={deviceListPath({ firmware: row.value })}>{row.value}</Link>}
                  </TableCell>
                  <TableCell align="right" sx={{ width: "15%" }} data-testid="firmware-count">
                    {row.count}
                  </TableCell>
                  <TableCell>
                    <Box sx={{ height: 8, borderRadius: 1, bgcolor: "primary.main", width: `${(100 * row.count) / most}%` }} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
