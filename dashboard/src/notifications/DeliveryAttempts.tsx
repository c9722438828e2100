import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { NotificationDelivery } from "@telehub/hub";
import { formatDuration } from "../charts/format";
import { formatInstant } from "../charts/time-format";
import { useTimeZone } from "../time/useTimeZone";

/** Every attempt to send a delivery (time, outcome, how long, the server's answer), the next one due, and the message as sent. */
export function DeliveryAttempts({ delivery }: { delivery: NotificationDelivery }) {
  const [timeZone] = useTimeZone();
  return (
    <Box sx={{ py: 1 }} data-testid="delivery-attempts">
      {delivery.attempts.length === 0 ? (
        <Typography variant="body2">No attempt yet.</Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Attempt</TableCell>
              <TableCell>At</TableCell>
              <TableCell>Outcome</TableCell>
              <TableCell>Took</TableCell>
              <TableCell>Answer</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {delivery.attempts.map((attempt, index) => (
              <TableRow key={attempt.at} data-testid="delivery-attempt" data-ok={String(attempt.ok)}>
                <TableCell>{index + 1}</TableCell>
                <TableCell>{formatInstant(attempt.at, timeZone)}</TableCell>
                <TableCell>{attempt.ok ? "delivered" : "failed"}</TableCell>
                <TableCell>{formatDuration(attempt.durationMs)}</TableCell>
                <TableCell sx={{ wordBreak: "break-word" }}>{attempt.error ?? "–"}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {delivery.status === "pending" && delivery.nextAttemptAt !== null && (
        <Typography variant="body2" sx={{ mt: 1 }}>
          Next attempt at {formatInstant(delivery.nextAttemptAt, timeZone)}.
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>
        Message
      </Typography>
      <Box component="pre" sx={{ m: 0, whiteSpace: "pre-wrap", fontSize: "0.8rem" }} data-testid="delivery-body">
        {delivery.body}
      </Box>
    </Box>
  );
}
