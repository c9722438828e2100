import { Card, CardActionArea, CardContent, Stack, Typography } from "@mui/material";
import { Link } from "react-admin";
import { ConnectedChip, FreshnessChip, isConnected } from "../devices/DeviceFields";
import { useDeviceLive } from "../devices/FleetLiveContext";
import type { FleetDevice } from "./fleet-types";
import type { KeyMetric } from "./key-metrics";
import { metricText } from "./metric-text";

/** One device of the overview: name, connected and fresh, its key metrics with units; a link to its page. */
export function DeviceTile({ device, metrics }: { device: FleetDevice; metrics: readonly KeyMetric[] }) {
  const live = useDeviceLive(device.id);
  return (
    <Card variant="outlined" data-testid="device-tile" data-device={device.id} sx={{ minWidth: 0 }}>
      <CardActionArea component={Link} to={`/devices/${encodeURIComponent(device.id)}/show`} sx={{ height: "100%" }}>
        <CardContent sx={{ p: 1.5, "&:last-child": { pb: 1.5 } }}>
          <Typography variant="subtitle2" noWrap title={device.name}>
            {device.name}
          </Typography>
          <Typography variant="caption" color="text.secondary" noWrap component="div" title={device.id}>
            {device.id}
          </Typography>
          <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: "wrap", my: 1 }}>
            {device.revoked ? null : <ConnectedChip connected={isConnected(device, live)} />}
            <FreshnessChip lastReadingAt={live?.lastReadingAt} />
          </Stack>
          {metrics.map((metric) => {
            const reading = live?.values[metric.name];
            return (
              <Stack key={metric.name} direction="row" sx={{ justifyContent: "space-between", gap: 1 }}>
                <Typography variant="body2" color="text.secondary" noWrap title={metric.label}>
                  {metric.label}
                </Typography>
                <Typography variant="body2" sx={{ fontWeight: 600, whiteSpace: "nowrap" }} data-tile-metric={metric.name}>
                  {reading === undefined ? "–" : metricText(reading.value, metric.unit, metric.decimals)}
                </Typography>
              </Stack>
            );
          })}
        </CardContent>
      </CardActionArea>
    </Card>
  );
}
