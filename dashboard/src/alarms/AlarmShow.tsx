import { Box, Button, Card, CardContent, Stack, Typography } from "@mui/material";
import { useState } from "react";
import { Link, Show, TopToolbar, useNotify, usePermissions, useRecordContext, useRefresh } from "react-admin";
import { canOperate } from "../auth/credentials";
import { formatInstant } from "../charts/time-format";
import { useNow } from "../devices/useNow";
import { useLiveRefresh } from "../live/useLiveRefresh";
import { AlarmDeliveries } from "../notifications/AlarmDeliveries";
import { useTimeZone } from "../time/useTimeZone";
import { AlarmStatusChips } from "./AlarmStatusChips";
import { type AlarmStep, AlarmStepDialog } from "./AlarmStepDialog";
import { AlarmTimeline } from "./AlarmTimeline";
import { alarmStep } from "./alarm-api";
import { type AlarmWithTransitions, actorText, alarmDuration, durationText } from "./alarm-history";
import { SeverityChip } from "./SeverityChip";
import { severityLabel } from "./severity";

/** Acknowledge (while unacknowledged) and Clear (while active), each with a comment: operators and admins only. */
function AlarmActions() {
  const alarm = useRecordContext<AlarmWithTransitions>();
  const { permissions } = usePermissions();
  const notify = useNotify();
  const refresh = useRefresh();
  const [step, setStep] = useState<AlarmStep | undefined>();
  if (!alarm || !canOperate(permissions)) return null;
  const run = async (comment: string) => {
    if (!step) return;
    await alarmStep(alarm.id, step, comment);
    notify(step === "acknowledge" ? "Alarm acknowledged" : "Alarm cleared", { type: "success" });
    refresh();
  };
  return (
    <TopToolbar>
      {!alarm.acknowledged && (
        <Button variant="contained" onClick={() => setStep("acknowledge")} data-testid="alarm-acknowledge">
          Acknowledge
        </Button>
      )}
      {alarm.status === "active" && (
        <Button variant="outlined" color="error" onClick={() => setStep("clear")} data-testid="alarm-clear">
          Clear
        </Button>
      )}
      {step && <AlarmStepDialog step={step} open onClose={() => setStep(undefined)} onConfirm={run} />}
    </TopToolbar>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: { xs: "1fr", sm: "140px 1fr" }, columnGap: 2, py: 0.5, minWidth: 0 }}>
      <Typography variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Box sx={{ minWidth: 0, overflowWrap: "anywhere" }}>{children}</Box>
    </Box>
  );
}

/** Who took the alarm's last step of `kind`: the step's display name when the history has it. */
function whoDid(alarm: AlarmWithTransitions, kind: "cleared" | "acknowledged", by: string | null): string {
  const step = (alarm.transitions ?? []).filter((t) => t.kind === kind).at(-1);
  return actorText(step?.by ?? by, step?.byName ?? null);
}

/** What the alarm is: severity (and peak), state, device, rule, message, value, times, who cleared and acknowledged it. */
function AlarmSummary() {
  const alarm = useRecordContext<AlarmWithTransitions>();
  const [timeZone] = useTimeZone();
  const now = useNow(1_000);
  useLiveRefresh(alarm ? [`alarms:${alarm.deviceId}`] : [], (update) => update.alarms.some((a) => a.alarm.id === alarm?.id));
  if (!alarm) return null;
  const body = (text: string, testId?: string) => (
    <Typography variant="body2" data-testid={testId}>
      {text}
    </Typography>
  );
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap", alignItems: "center", mb: 1 }}>
          <SeverityChip severity={alarm.severity} />
          <AlarmStatusChips alarm={alarm} />
        </Stack>
        <Typography variant="h6" sx={{ overflowWrap: "anywhere" }} data-testid="alarm-message">
          {alarm.message}
        </Typography>
        <Row label="Device">
          <Link to={`/devices/${encodeURIComponent(alarm.deviceId)}/show`} data-testid="alarm-device">
            {alarm.deviceId}
          </Link>
        </Row>
        <Row label="Rule">
          <Link to={`/alarm-rules/${encodeURIComponent(alarm.ruleId)}/show`}>{alarm.ruleName}</Link>
        </Row>
        {alarm.peakSeverity !== alarm.severity && <Row label="Peak severity">{body(severityLabel(alarm.peakSeverity))}</Row>}
        {alarm.value !== null && (
          <Row label="Value">{body(typeof alarm.value === "string" ? `"${alarm.value}"` : String(alarm.value))}</Row>
        )}
        <Row label="Raised">{body(formatInstant(alarm.raisedAt, timeZone))}</Row>
        <Row label={alarm.status === "active" ? "Active for" : "Was active for"}>
          {body(durationText(alarmDuration(alarm, now)), "alarm-duration")}
        </Row>
        {alarm.clearedAt !== null && (
          <Row label="Cleared">{body(`${formatInstant(alarm.clearedAt, timeZone)} by ${whoDid(alarm, "cleared", alarm.clearedBy)}`)}</Row>
        )}
        {alarm.acknowledgedAt !== null && (
          <Row label="Acknowledged">
            {body(`${formatInstant(alarm.acknowledgedAt, timeZone)} by ${whoDid(alarm, "acknowledged", alarm.acknowledgedBy)}`)}
          </Row>
        )}
        {alarm.profileId && <Row label="Profile">{body(alarm.profileId)}</Row>}
      </CardContent>
    </Card>
  );
}

function AlarmHistory() {
  const alarm = useRecordContext<AlarmWithTransitions>();
  if (!alarm) return null;
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" sx={{ mb: 1 }}>
          History
        </Typography>
        <AlarmTimeline transitions={alarm.transitions ?? []} />
      </CardContent>
    </Card>
  );
}

/** The notifications sent about it, with their attempts (operators and admins: the hub shows deliveries to them only). */
function AlarmNotifications() {
  const alarm = useRecordContext<AlarmWithTransitions>();
  const { permissions } = usePermissions();
  if (!alarm || !canOperate(permissions)) return null;
  return (
    <Card variant="outlined">
      <CardContent>
        <AlarmDeliveries alarmId={alarm.id} />
      </CardContent>
    </Card>
  );
}

function AlarmTitle() {
  const alarm = useRecordContext<AlarmWithTransitions>();
  return <span>{alarm ? `${alarm.ruleName} on ${alarm.deviceId}` : "Alarm"}</span>;
}

/**
 * One alarm: what it is and how long it has been active, its history (every step with who, when
 * and the comment), and, for operators and admins, Acknowledge and Clear with a comment and the
 * notifications sent about it. Follows the alarm live (`alarms:<device>`).
 */
export function AlarmShow() {
  return (
    <Show actions={<AlarmActions />} title={<AlarmTitle />}>
      <Stack spacing={2} sx={{ p: { xs: 1, sm: 2 }, minWidth: 0 }}>
        <AlarmSummary />
        <AlarmHistory />
        <AlarmNotifications />
      </Stack>
    </Show>
  );
}
