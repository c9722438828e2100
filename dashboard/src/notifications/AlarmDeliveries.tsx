import { Box, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { usePermissions } from "react-admin";
import { canOperate } from "../auth/credentials";
import { listDeliveries } from "./channel-api";
import { DeliveriesTable } from "./DeliveriesTable";

/** How many of an alarm's deliveries are shown (newest first). */
const SHOWN = 50;

/**
 * The notifications sent about one alarm (its own messages, reminders and the digests that named
 * it), each with its attempts; for operators and admins (the hub shows deliveries to them only).
 */
export function AlarmDeliveries({ alarmId }: { alarmId: string }) {
  const { permissions } = usePermissions();
  const allowed = canOperate(permissions);
  const { data, error } = useQuery({
    queryKey: ["telehub", "alarm-deliveries", alarmId],
    queryFn: () => listDeliveries({ alarmId, limit: SHOWN }),
    enabled: allowed,
    refetchInterval: 10_000,
  });
  if (!allowed) return null;
  return (
    <Box data-testid="alarm-deliveries" data-count={data?.total ?? ""}>
      <Typography variant="h6" gutterBottom>
        Notifications
      </Typography>
      {error && <Typography color="error">{(error as Error).message}</Typography>}
      {data && data.data.length === 0 && <Typography variant="body2">No notification was sent about this alarm.</Typography>}
      {data && data.data.length > 0 && <DeliveriesTable deliveries={data.data} />}
      {data && data.total > data.data.length && (
        <Typography variant="caption" color="text.secondary">
          The newest {data.data.length} of {data.total}; all under Deliveries.
        </Typography>
      )}
    </Box>
  );
}
