import SendIcon from "@mui/icons-material/Send";
import { Alert, Box, Button } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { NotificationDelivery } from "@telehub/hub";
import { useState } from "react";
import { formatDuration } from "../charts/format";
import { formatInstant } from "../charts/time-format";
import type { TimeZone } from "../time/time-zone";
import { useTimeZone } from "../time/useTimeZone";
import { sendTest } from "./channel-api";

/** What the first attempt did, in words: delivered in 120 ms, or the server's answer and what happens next. */
function outcomeText(delivery: NotificationDelivery, timeZone: TimeZone): string {
  const attempt = delivery.attempts[delivery.attempts.length - 1];
  if (!attempt) return "Queued: no attempt yet.";
  if (attempt.ok) return `Delivered in ${formatDuration(attempt.durationMs)}.`;
  const next =
    delivery.status === "pending" && delivery.nextAttemptAt ? ` Retrying at ${formatInstant(delivery.nextAttemptAt, timeZone)}.` : "";
  return `Failed after ${formatDuration(attempt.durationMs)}: ${attempt.error ?? "no reason given"}.${next}`;
}

/** "Send test notification" (admins): a test message through the channel now, not rate limited; shows the first attempt's result. */
export function TestNotificationButton({ channelId }: { channelId: string }) {
  const [timeZone] = useTimeZone();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [delivery, setDelivery] = useState<NotificationDelivery | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const send = async () => {
    setBusy(true);
    setFailure(undefined);
    setDelivery(undefined);
    try {
      setDelivery(await sendTest(channelId));
      // The channel page's recent deliveries now start with this one.
      await queryClient.invalidateQueries({ queryKey: ["telehub", "channel-deliveries", channelId] });
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const ok = delivery?.attempts.some((attempt) => attempt.ok) ?? false;
  return (
    <Box sx={{ my: 1 }}>
      <Button variant="outlined" startIcon={<SendIcon />} onClick={send} disabled={busy} data-testid="channel-test">
        {busy ? "Sending…" : "Send test notification"}
      </Button>
      {delivery && (
        <Alert severity={ok ? "success" : "error"} sx={{ mt: 1 }} data-testid="channel-test-result" data-status={delivery.status}>
          {outcomeText(delivery, timeZone)}
        </Alert>
      )}
      {failure && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="channel-test-result" data-status="refused">
          {failure}
        </Alert>
      )}
    </Box>
  );
}
