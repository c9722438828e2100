import { Alert, Box, Button, MenuItem, Stack, TextField, Typography } from "@mui/material";
import type { BacktestResult, DeviceProfile } from "@telehub/hub";
import { useState } from "react";
import { RELATIVE_RANGES } from "../time/relative-ranges";
import { useTimeZone } from "../time/useTimeZone";
import { BacktestChart } from "./BacktestChart";
import { BacktestSteps } from "./BacktestSteps";
import { backtestRule } from "./rule-api";
import { type RuleFormValues, toDefinition } from "./rule-form";
import { refusalOf } from "./versioned-save";

/** The backtest's range when the editor opens: the last 24 hours. */
const DEFAULT_RANGE_MS = 24 * 3_600_000;

/** The metric whose history the chart shows: the condition's, or the no-data rule's (none: any metric). */
function chartedMetric(values: RuleFormValues): string | undefined {
  if (values.conditionKind === "metric") return values.metric?.trim() || undefined;
  if (values.conditionKind === "noData") return values.noDataMetric?.trim() || undefined;
  return undefined;
}

type Run = { result: BacktestResult; metric: string | undefined };

/**
 * Runs the rule as typed (saved or not) over a device's stored history (`POST /alarm-rules/backtest`)
 * and shows what it would have done: the metric's chart with the alarm spans shaded by severity,
 * and the steps (raised, escalated, de-escalated, cleared) with their times. Offline rules cannot be
 * replayed: the hub keeps no connection history.
 */
export function BacktestPreview({ values, devices, profile }: { values: RuleFormValues; devices: string[]; profile?: DeviceProfile }) {
  const [timeZone] = useTimeZone();
  const [picked, setPicked] = useState<string | undefined>();
  const [lastMs, setLastMs] = useState(DEFAULT_RANGE_MS);
  const [run, setRun] = useState<Run | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const deviceId = picked && devices.includes(picked) ? picked : devices[0];

  if (values.conditionKind === "offline")
    return (
      <Alert severity="info" data-testid="backtest-unsupported">
        Backtest: not supported for offline rules. The hub keeps no history of connections, so it cannot replay one.
      </Alert>
    );

  const start = async () => {
    if (!deviceId) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const to = Date.now();
      const result = await backtestRule(toDefinition(values), deviceId, to - lastMs, to);
      setRun({ result, metric: chartedMetric(values) });
    } catch (error) {
      const { field } = refusalOf(error);
      setRun(undefined);
      setFailure(`${(error as Error).message}${field ? ` (field ${field})` : ""}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ width: "100%" }} data-testid="backtest">
      <Typography variant="subtitle1">Backtest</Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        What this rule, as typed above, would have done on a device's stored readings. It runs the hub's live evaluation, so it shows what
        live would have raised.
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap", mb: 1 }}>
        <TextField
          select
          size="small"
          label="Device"
          value={deviceId ?? ""}
          onChange={(event) => setPicked(event.target.value)}
          sx={{ width: 240 }}
          disabled={devices.length === 0}
          helperText={devices.length === 0 ? "No device in scope yet" : false}
          slotProps={{ htmlInput: { "data-testid": "backtest-device" } }}
        >
          {devices.map((id) => (
            <MenuItem key={id} value={id}>
              {id}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Range"
          value={lastMs}
          onChange={(event) => setLastMs(Number(event.target.value))}
          sx={{ width: 160 }}
          slotProps={{ htmlInput: { "data-testid": "backtest-range" } }}
        >
          {RELATIVE_RANGES.map((range) => (
            <MenuItem key={range.label} value={range.lastMs}>
              Last {range.label}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="outlined" onClick={start} disabled={!deviceId || busy} data-testid="backtest-run">
          {busy ? "Running…" : "Run backtest"}
        </Button>
      </Stack>
      {failure && (
        <Alert severity="error" data-testid="backtest-error">
          {failure}
        </Alert>
      )}
      {run && (
        <Box data-testid="backtest-result" data-alarms={run.result.alarms.length} data-points={run.result.points}>
          {run.result.truncated && (
            <Alert severity="warning" sx={{ mb: 1 }}>
              Only the first {run.result.points.toLocaleString("en-US")} readings were evaluated: the result stops at the last of them. Pick
              a shorter range to see it all.
            </Alert>
          )}
          {run.metric && <BacktestChart result={run.result} metric={run.metric} profile={profile} timeZone={timeZone} />}
          <BacktestSteps result={run.result} timeZone={timeZone} />
        </Box>
      )}
    </Box>
  );
}
