import NotificationsIcon from "@mui/icons-material/Notifications";
import NotificationsNoneIcon from "@mui/icons-material/NotificationsNone";
import { Badge, IconButton, Tooltip, useTheme } from "@mui/material";
import { Link } from "react-admin";
import { countText } from "./alarm-history";
import { SEVERITIES, severityColor, severityTextColor } from "./severity";
import { useAlarmSummary } from "./useAlarmSummary";

/** The alarm list with what the badge counts: active alarms nobody acknowledged. */
export const UNACKNOWLEDGED_LINK = `/alarms?filter=${encodeURIComponent(JSON.stringify({ status: "active", acknowledged: "false" }))}`;

/**
 * The app bar's alarm bell: the number of active unacknowledged alarms on a badge in the colour of
 * the most severe active alarm, live; a click opens the alarm list filtered to them. No number
 * when there is nothing to acknowledge (the tooltip then says how many are active).
 */
export function AlarmBadge() {
  const summary = useAlarmSummary();
  const mode = useTheme().palette.mode;
  if (!summary) return null;
  const worst = SEVERITIES.find((s) => summary.bySeverity[s] > 0);
  const count = summary.unacknowledged;
  const title = `${countText(count, "unacknowledged alarm")} (${countText(summary.active, "active alarm")})`;
  return (
    <Tooltip title={title}>
      <IconButton
        color="inherit"
        component={Link}
        to={UNACKNOWLEDGED_LINK}
        aria-label={title}
        data-testid="alarm-badge"
        data-count={count}
        data-active={summary.active}
        data-severity={worst ?? ""}
      >
        <Badge
          badgeContent={count}
          max={999}
          color="error"
          invisible={count === 0}
          sx={
            worst
              ? { "& .MuiBadge-badge": { bgcolor: severityColor(worst, mode), color: severityTextColor(worst, mode), fontWeight: 700 } }
              : undefined
          }
        >
          {count > 0 ? <NotificationsIcon /> : <NotificationsNoneIcon />}
        </Badge>
      </IconButton>
    </Tooltip>
  );
}
