import { Box, Card, CardContent, Typography } from "@mui/material";
import { formatValue } from "../../charts/format";
import { formatInstant } from "../../charts/time-format";
import type { MetricValue } from "../../live/live-types";
import type { TimeZone } from "../../time/time-zone";
import type { MetricSpec } from "../chart/metric-spec";
import type { DeviceLiveState } from "../device-types";

function shownValue(value: MetricValue, spec: MetricSpec | undefined): string {
  return typeof value === "number" ? formatValue(value, spec?.unit, spec?.decimals) : String(value);
}

/** A value more than this older than the newest reading shows its own time. */
const OLDER_MS = 1_000;

/**
 * The newest value of every metric the device reported, with its unit: the profile's metrics
 * first, in its order, then the others. The time of the newest reading is given once; a value
 * older than that shows its own time (a metric that stopped coming stands out).
 */
export function LatestValues({ live, specs, timeZone }: { live: DeviceLiveState | undefined; specs: MetricSpec[]; timeZone: TimeZone }) {
  const values = live?.values ?? {};
  const order = new Map(specs.map((spec, index) => [spec.name, index]));
  const bySpec = new Map(specs.map((spec) => [spec.name, spec]));
  const names = Object.keys(values).sort(
    (a, b) => (order.get(a) ?? specs.length) - (order.get(b) ?? specs.length) || a.localeCompare(b, "en", { numeric: true }),
  );
  const newest = Math.max(...names.map((name) => values[name]?.ts ?? 0));
  return (
    <Card>
      <CardContent>
        <Box sx={{ display: "flex", gap: 1, alignItems: "baseline", flexWrap: "wrap" }}>
          <Typography variant="h6">Latest values</Typography>
          {names.length > 0 && (
            <Typography variant="body2" color="text.secondary" data-testid="latest-time">
              {formatInstant(newest, timeZone)}
            </Typography>
          )}
        </Box>
        {names.length === 0 && <Typography color="text.secondary">No readings yet.</Typography>}
        <Box
          sx={{ display: "grid", columnGap: 2, rowGap: 1, mt: 1, gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 150px), 1fr))" }}
        >
          {names.map((name) => {
            const entry = values[name];
            if (!entry) return null;
            const spec = bySpec.get(name);
            return (
              <Box key={name} data-testid="latest-value" data-metric={name} sx={{ minWidth: 0, overflowWrap: "anywhere" }}>
                <Typography variant="caption" color="text.secondary" component="div" title={name}>
                  {spec?.displayName ?? name}
                </Typography>
                <Typography variant="body2" sx={{ fontWeight: 500 }} data-testid={`live-value-${name}`}>
                  {shownValue(entry.value, spec)}
                </Typography>
                {newest - entry.ts > OLDER_MS && (
                  <Typography variant="caption" color="warning.main" component="div" data-testid="latest-value-time">
                    {formatInstant(entry.ts, timeZone)}
                  </Typography>
                )}
              </Box>
            );
          })}
        </Box>
      </CardContent>
    </Card>
  );
}
