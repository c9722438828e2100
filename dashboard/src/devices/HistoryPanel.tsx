import { Box, Card, CardContent, MenuItem, TextField, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { useMemo, useState } from "react";
import type { TimeRange } from "../time/time-range";
import { DeviceChart } from "./chart/DeviceChart";
import { specForUnprofiled } from "./chart/metric-spec";
import type { DeviceLiveState } from "./device-types";

const RANGES = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
type Choice = keyof typeof RANGES | "custom";

/** `datetime-local` value of a time, in the browser's zone. */
function localInput(ts: number): string {
  const d = new Date(ts - new Date(ts).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * History of one metric over a chosen range, downsampled by the hub to the chart's width in
 * pixels, so the browser never receives more than it can draw.
 */
export function HistoryPanel({ deviceId, metrics, live }: { deviceId: string; metrics: string[]; live?: DeviceLiveState }) {
  const [metric, setMetric] = useState<string>("");
  const [choice, setChoice] = useState<Choice>("hour");
  const [customFrom, setCustomFrom] = useState(() => localInput(Date.now() - RANGES.day));
  const [customTo, setCustomTo] = useState(() => localInput(Date.now()));
  const shown = metric || metrics[0] || "";
  const range = useMemo<TimeRange | string>(() => {
    if (choice !== "custom") return { kind: "relative", lastMs: RANGES[choice] };
    const from = new Date(customFrom).getTime();
    const to = new Date(customTo).getTime();
    return from < to ? { kind: "absolute", from, to } : "The start must be before the end";
  }, [choice, customFrom, customTo]);
  const sample = live?.values[shown]?.value;
  const sampleKind = typeof sample;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the spec follows the metric and the type of its values
  const specs = useMemo(() => [specForUnprofiled(shown, sample)], [shown, sampleKind]);
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
          <ToggleButtonGroup size="small" exclusive value={choice} onChange={(_e, value: Choice | null) => value && setChoice(value)}>
            <ToggleButton value="hour">Last hour</ToggleButton>
            <ToggleButton value="day">Last day</ToggleButton>
            <ToggleButton value="week">Last week</ToggleButton>
            <ToggleButton value="custom">Custom</ToggleButton>
          </ToggleButtonGroup>
          {choice === "custom" && (
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
        <Box sx={{ width: "100%" }} data-testid="history-chart">
          {typeof range === "string" && <Typography color="error">{range}</Typography>}
          {!shown && <Typography color="text.secondary">No metrics yet.</Typography>}
          {shown && typeof range !== "string" && (
            <DeviceChart
              key={shown}
              deviceId={deviceId}
              title={shown}
              metrics={specs}
              range={range}
              timeZone="local"
              live={live}
              refreshKey={0}
            />
          )}
        </Box>
      </CardContent>
    </Card>
  );
}
