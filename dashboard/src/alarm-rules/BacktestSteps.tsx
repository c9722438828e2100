import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { BacktestResult } from "@telehub/hub";
import { SeverityChip } from "../alarms/SeverityChip";
import { formatDuration } from "../charts/format";
import { formatInstant } from "../charts/time-format";
import type { TimeZone } from "../time/time-zone";

const STEP_WORDS = { raised: "raised", escalated: "escalated", deescalated: "de-escalated", cleared: "cleared" } as const;

/** The backtest's would-be alarms in words ("2 alarms, 1 still active at the end"), then each step with its time. */
export function BacktestSteps({ result, timeZone }: { result: BacktestResult; timeZone: TimeZone }) {
  const steps = result.alarms.flatMap((alarm, index) => alarm.steps.map((step) => ({ ...step, alarm: index + 1 })));
  const open = result.alarms.filter((alarm) => alarm.clearedAt === null).length;
  const active = result.alarms.reduce((sum, alarm) => sum + ((alarm.clearedAt ?? result.to) - alarm.raisedAt), 0);
  const summary =
    result.alarms.length === 0
      ? `No alarm: ${result.points.toLocaleString("en-US")} readings evaluated.`
      : `${result.alarms.length} alarm${result.alarms.length === 1 ? "" : "s"} (${open > 0 ? `${open} still active at the end, ` : ""}active ${formatDuration(active)} in all) from ${result.points.toLocaleString("en-US")} readings.`;
  return (
    <>
      <Typography variant="body2" data-testid="backtest-summary" sx={{ my: 1 }}>
        {summary}
      </Typography>
      {steps.length > 0 && (
        // A phone scrolls the table sideways inside the form, not the page.
        <Box sx={{ overflowX: "auto", width: "100%" }}>
          <Table size="small" data-testid="backtest-steps">
            <TableHead>
              <TableRow>
                <TableCell>Time</TableCell>
                <TableCell>Alarm</TableCell>
                <TableCell>Step</TableCell>
                <TableCell>Severity</TableCell>
                <TableCell>Message</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {steps.map((step) => (
                <TableRow
                  key={`${step.alarm}-${step.at}-${step.kind}`}
                  data-testid="backtest-step"
                  data-kind={step.kind}
                  data-severity={step.severity}
                  data-at={step.at}
                >
                  <TableCell>{formatInstant(step.at, timeZone)}</TableCell>
                  <TableCell>#{step.alarm}</TableCell>
                  <TableCell>{STEP_WORDS[step.kind]}</TableCell>
                  <TableCell>
                    <SeverityChip severity={step.severity} />
                  </TableCell>
                  <TableCell>{step.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </>
  );
}
