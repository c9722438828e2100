import { Box, MenuItem, TextField, ToggleButton, ToggleButtonGroup } from "@mui/material";
import type { ReactNode } from "react";
import { fromDatetimeInput, toDatetimeInput } from "./datetime-input";
import { REFRESH_PERIODS, RELATIVE_RANGES } from "./relative-ranges";
import { resolveRange, type TimeRange } from "./time-range";
import type { TimeZone } from "./time-zone";

export interface TimeToolbarProps {
  range: TimeRange;
  onRange: (range: TimeRange) => void;
  timeZone: TimeZone;
  onTimeZone: (timeZone: TimeZone) => void;
  /** Auto-refresh period of a relative range (0: off). */
  refreshMs: number;
  onRefreshMs: (ms: number) => void;
  /** More controls at the end of the bar (charts menu, export). */
  children?: ReactNode;
}

/** One end of an absolute range, typed in the page's time zone. */
function RangeEnd({
  label,
  ts,
  timeZone,
  onText,
}: {
  label: "From" | "To";
  ts: number;
  timeZone: TimeZone;
  onText: (text: string) => void;
}) {
  return (
    <TextField
      size="small"
      type="datetime-local"
      label={label}
      value={toDatetimeInput(ts, timeZone)}
      onChange={(event) => onText(event.target.value)}
      slotProps={{ inputLabel: { shrink: true }, htmlInput: { "data-testid": `range-${label.toLowerCase()}` } }}
    />
  );
}

/**
 * The range the page shows (a relative range, or "Custom": an absolute one typed in or set by a
 * zoom), the time zone (browser or UTC) and the history's auto-refresh. Wraps on a narrow screen.
 */
export function TimeToolbar({ range, onRange, timeZone, onTimeZone, refreshMs, onRefreshMs, children }: TimeToolbarProps) {
  const selected = range.kind === "relative" ? range.lastMs : "custom";
  const pick = (_event: unknown, value: number | "custom" | null) => {
    if (value === null || value === selected) return;
    if (value === "custom") onRange({ kind: "absolute", ...resolveRange(range, Date.now()) });
    else onRange({ kind: "relative", lastMs: value });
  };
  const setEnd = (end: "from" | "to", text: string) => {
    const ts = fromDatetimeInput(text, timeZone);
    if (range.kind !== "absolute" || Number.isNaN(ts)) return;
    const next = { ...range, [end]: ts };
    if (next.from < next.to) onRange(next);
  };
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center" }} data-testid="time-toolbar">
      <ToggleButtonGroup size="small" exclusive value={selected} onChange={pick} aria-label="Time range" sx={{ flexWrap: "wrap" }}>
        {RELATIVE_RANGES.map(({ label, lastMs }) => (
          <ToggleButton key={lastMs} value={lastMs} data-testid="range">
            {label}
          </ToggleButton>
        ))}
        <ToggleButton value="custom" data-testid="range">
          Custom
        </ToggleButton>
      </ToggleButtonGroup>
      {range.kind === "absolute" && (
        <>
          <RangeEnd label="From" ts={range.from} timeZone={timeZone} onText={(text) => setEnd("from", text)} />
          <RangeEnd label="To" ts={range.to} timeZone={timeZone} onText={(text) => setEnd("to", text)} />
        </>
      )}
      <ToggleButtonGroup
        size="small"
        exclusive
        value={timeZone}
        onChange={(_event, value: TimeZone | null) => value && onTimeZone(value)}
        aria-label="Time zone"
      >
        <ToggleButton value="local" data-testid="time-zone">
          Browser
        </ToggleButton>
        <ToggleButton value="UTC" data-testid="time-zone">
          UTC
        </ToggleButton>
      </ToggleButtonGroup>
      <TextField
        select
        size="small"
        label="Refresh"
        value={range.kind === "relative" ? refreshMs : 0}
        disabled={range.kind !== "relative"}
        onChange={(event) => onRefreshMs(Number(event.target.value))}
        fullWidth={false}
        sx={{ width: 110 }}
        slotProps={{ htmlInput: { "data-testid": "auto-refresh" } }}
      >
        {REFRESH_PERIODS.map(({ label, ms }) => (
          <MenuItem key={ms} value={ms}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      {children}
    </Box>
  );
}
