import { Box, Card, CardContent, MenuItem, TextField, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { LineChart } from "../charts/LineChart";
import { useElementWidth } from "../charts/useElementWidth";
import { chartPointsOf, fetchHistory, type History } from "./history";

const RANGES = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES | "custom";

/** `datetime-local` value of a time, in the browser's zone. */
function localInput(ts: number): string {
  const d = new Date(ts - new Date(ts).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * History of one metric over a chosen range, downsampled by the hub to the chart's width in
 * pixels (`points=width`), so the browser never receives more than it can draw.
 */
export function HistoryPanel({ deviceId, metrics }: { deviceId: string; metrics: string[] }) {
  const [metric, setMetric] = useState<string>("");
  const [range, setRange] = useState<Range>("hour");
  const [customFrom, setCustomFrom] = useState(() => localInput(Date.now() - RANGES.day));
  const [customTo, setCustomTo] = useState(() => localInput(Date.now()));
  const [history, setHistory] = useState<History | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const shown = metric || metrics[0] || "";
  useEffect(() => {
    if (!shown || width <= 0) return;
    const to = range === "custom" ? new Date(customTo).getTime() : Date.now();
    const from = range === "custom" ? new Date(customFrom).getTime() : to - RANGES[range];
    if (!(from < to)) return setError("The start must be before the end");
    let cancelled = false;
    setError(undefined);
    fetchHistory(deviceId, shown, from, to, width).then(
      (answer) => !cancelled && setHistory(answer),
      (failure: Error) => !cancelled && setError(failure.message),
    );
    return () => {
      cancelled = true;
    };
  }, [deviceId, shown, range, customFrom, customTo, width]);
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">History</Typography>
        <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap", my: 1 }}>
          <TextField select size="small" label="Metric" value={shown} onChange={(e) => setMetric(e.target.value)} sx={{ minWidth: 160 }}>
            {metrics.map((m) => (
              <MenuItem key={m} value={m}>
                {m}
              </MenuItem>
            ))}
          </TextField>
          <ToggleButtonGroup size="small" exclusive value={range} onChange={(_e, value: Range | null) => value && setRange(value)}>
            <ToggleButton value="hour">Last hour</ToggleButton>
            <ToggleButton value="day">Last day</ToggleButton>
            <ToggleButton value="week">Last week</ToggleButton>
            <ToggleButton value="custom">Custom</ToggleButton>
          </ToggleButtonGroup>
          {range === "custom" && (
            <>
              <TextField
                size="small"
                type="datetime-local"
                label="From"
                value={customFrom}
                onChange={(e) => setCustomFrom(e.target.value)}
              />
              <TextField size="small" type="datetime-local" label="To" value={customTo} onChange={(e) => setCustomTo(e.target.value)} />
            </>
          )}
        </Box>
        <Box ref={ref} sx={{ width: "100%" }} data-testid="history-chart">
          {error && <Typography color="error">{error}</Typography>}
          {!shown && <Typography color="text.secondary">No metrics yet.</Typography>}
          {history && width > 0 && (
            <>
              <LineChart
                label={`${history.metric} history`}
                points={chartPointsOf(history)}
                width={width}
                from={history.from}
                to={history.to}
              />
              <Typography variant="caption" color="text.secondary">
                {history.data.length} {history.data.length === 1 ? "bucket" : "buckets"} of {Math.round(history.bucketMs / 1000)} s
              </Typography>
            </>
          )}
        </Box>
      </CardContent>
    </Card>
  );
}
