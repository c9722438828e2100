import { Chip, Stack } from "@mui/material";
import type { Alarm } from "@telehub/hub";
import { actorText } from "./alarm-history";

/** Active or cleared, and whether someone acknowledged it (who, in the tooltip). */
export function AlarmStatusChips({ alarm }: { alarm: Alarm }) {
  const acknowledgedBy = actorText(alarm.acknowledgedBy, null);
  return (
    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: "wrap" }} component="span">
      <Chip
        size="small"
        label={alarm.status === "active" ? "Active" : "Cleared"}
        color={alarm.status === "active" ? "error" : "default"}
        variant={alarm.status === "active" ? "outlined" : "filled"}
        data-testid="alarm-status"
        data-status={alarm.status}
      />
      <Chip
        size="small"
        label={alarm.acknowledged ? "Acknowledged" : "Unacknowledged"}
        color={alarm.acknowledged ? "success" : "warning"}
        variant="outlined"
        title={alarm.acknowledged ? `Acknowledged by ${acknowledgedBy}` : "Nobody has acknowledged it yet"}
        data-testid="alarm-ack"
        data-acknowledged={alarm.acknowledged ? "true" : "false"}
      />
    </Stack>
  );
}
