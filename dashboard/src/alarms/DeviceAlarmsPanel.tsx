import { Alert, Box, Card, CardContent, Stack, Typography } from "@mui/material";
import { Link } from "react-admin";
import { useNow } from "../devices/useNow";
import { AlarmStatusChips } from "./AlarmStatusChips";
import { type AlarmWithTransitions, alarmDuration, countText, durationText } from "./alarm-history";
import { SeverityChip } from "./SeverityChip";
import { severityRank } from "./severity";

/** The device's alarm list, for every alarm it ever had. */
function deviceAlarmsLink(deviceId: string): string {
  return `/alarms?filter=${encodeURIComponent(JSON.stringify({ deviceId }))}`;
}

/**
 * The device page's open alarms, most severe first: severity, rule, message, how long active,
 * acknowledged or not; each opens its alarm page (acknowledge and clear are there). Says so when
 * there are none.
 */
export function DeviceAlarmsPanel({ deviceId, open, error }: { deviceId: string; open: AlarmWithTransitions[]; error?: string }) {
  const now = useNow(1_000);
  const sorted = [...open].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.raisedAt - a.raisedAt);
  return (
    <Card variant="outlined" data-testid="device-alarms" data-count={open.length}>
      <CardContent>
        <Box sx={{ display: "flex", gap: 1, alignItems: "baseline", flexWrap: "wrap", mb: 1 }}>
          <Typography variant="subtitle1">Open alarms</Typography>
          <Typography variant="body2" color="text.secondary">
            {countText(open.length, "active alarm")} ·{" "}
            <Link to={deviceAlarmsLink(deviceId)} data-testid="device-alarms-history">
              all alarms of this device
            </Link>
          </Typography>
        </Box>
        {error && (
          <Alert severity="warning" sx={{ mb: 1 }}>
            Could not read the device's alarms: {error}
          </Alert>
        )}
        <Stack spacing={1}>
          {sorted.map((alarm) => (
            <Box
              key={alarm.id}
              component={Link}
              to={`/alarms/${encodeURIComponent(alarm.id)}/show`}
              data-testid="device-alarm"
              data-severity={alarm.severity}
              sx={{
                display: "grid",
                gridTemplateColumns: { xs: "1fr", sm: "auto 1fr auto" },
                gap: 1,
                alignItems: "center",
                p: 1,
                border: 1,
                borderColor: "divider",
                borderRadius: 1,
                color: "inherit",
                textDecoration: "none",
                "&:hover": { bgcolor: "action.hover" },
                minWidth: 0,
              }}
            >
              <SeverityChip severity={alarm.severity} />
              <Box sx={{ minWidth: 0 }}>
                <Typography variant="body2" sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>
                  {alarm.ruleName}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
                  {alarm.message} · active for {durationText(alarmDuration(alarm, now))}
                </Typography>
              </Box>
              <AlarmStatusChips alarm={alarm} />
            </Box>
          ))}
        </Stack>
      </CardContent>
    </Card>
  );
}
