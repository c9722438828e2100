import { Card, CardContent, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import { formatValue } from "./DeviceFields";
import type { Device } from "./device-types";

/** What the device reported about itself (hello and report frames). */
export function AttributesPanel({ device }: { device: Device }) {
  const rows: [string, string][] = [
    ["firmware", device.firmware ?? "–"],
    ["model", device.model ?? "–"],
    ["clock skew", device.clockSkewMs === null ? "–" : `${device.clockSkewMs} ms${device.clockSkewFlagged ? " (flagged)" : ""}`],
    [
      "labels",
      Object.entries(device.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ") || "–",
    ],
    ...Object.entries(device.attributes).map(([name, value]): [string, string] => [name, formatValue(value)]),
  ];
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Reported attributes</Typography>
        <Table size="small">
          <TableBody>
            {rows.map(([name, value]) => (
              <TableRow key={name}>
                <TableCell component="th">{name}</TableCell>
                <TableCell>{value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
