import { Link as MuiLink, Typography } from "@mui/material";
import type { Alarm } from "@telehub/hub";
import type { MouseEvent } from "react";
import { Link, useRecordContext } from "react-admin";
import { formatInstant } from "../charts/time-format";
import { useNow } from "../devices/useNow";
import { useTimeZone } from "../time/useTimeZone";
import { AlarmStatusChips } from "./AlarmStatusChips";
import { alarmDuration, durationText } from "./alarm-history";
import { SeverityChip } from "./SeverityChip";

/** Props react-admin's Datagrid reads from a column (its header and sorting). */
export type ColumnProps = { label?: string; sortable?: boolean };

export function SeverityField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  return alarm ? <SeverityChip severity={alarm.severity} /> : null;
}

export function StatusField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  return alarm ? <AlarmStatusChips alarm={alarm} /> : null;
}

/** The device's id, a link to its page (a click on it does not open the alarm). */
export function DeviceLinkField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  if (!alarm) return null;
  return (
    <MuiLink
      component={Link}
      to={`/devices/${encodeURIComponent(alarm.deviceId)}/show`}
      onClick={(event: MouseEvent) => event.stopPropagation()}
      data-testid="alarm-device"
      sx={{ overflowWrap: "anywhere" }}
    >
      {alarm.deviceId}
    </MuiLink>
  );
}

/** When it was raised, in the page's time zone. */
export function RaisedField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  const [timeZone] = useTimeZone();
  if (!alarm) return null;
  return (
    <Typography variant="body2" component="span" sx={{ whiteSpace: "nowrap" }}>
      {formatInstant(alarm.raisedAt, timeZone)}
    </Typography>
  );
}

/** How long it has been active (ticking while it is), or was. */
export function DurationField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  const now = useNow(1_000);
  if (!alarm) return null;
  return (
    <Typography variant="body2" component="span" sx={{ whiteSpace: "nowrap" }} data-testid="alarm-duration">
      {durationText(alarmDuration(alarm, now))}
      {alarm.status === "cleared" ? "" : " so far"}
    </Typography>
  );
}

/** The alarm's message, e.g. "temperature 92.4 above 90 for 5 min". */
export function MessageField(_props: ColumnProps) {
  const alarm = useRecordContext<Alarm>();
  if (!alarm) return null;
  return (
    <Typography variant="body2" component="span" sx={{ overflowWrap: "anywhere" }} data-testid="alarm-message">
      {alarm.message}
    </Typography>
  );
}
