import { Box, Card, CardContent, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import type { ChannelView } from "@telehub/hub";
import { DeleteButton, EditButton, ShowBase, Title, TopToolbar, usePermissions, useRecordContext } from "react-admin";
import { DetailLine } from "../alarm-rules/DetailLine";
import { canOperate, isAdmin } from "../auth/credentials";
import { formatDuration } from "../charts/format";
import { listDeliveries } from "./channel-api";
import { DeliveriesTable } from "./DeliveriesTable";
import { TestNotificationButton } from "./TestNotificationButton";

/** How many of the channel's newest deliveries its page shows. */
const RECENT = 10;

function Actions() {
  const { permissions } = usePermissions();
  if (!isAdmin(permissions)) return null;
  return (
    <TopToolbar>
      <EditButton />
      <DeleteButton
        mutationMode="pessimistic"
        confirmTitle="Delete this channel?"
        confirmContent="It sends nothing more; its pending deliveries are dropped."
      />
    </TopToolbar>
  );
}

/** Where the channel sends, in words; secrets only as "set". */
function settingsText(channel: ChannelView): string {
  const s = channel.settings;
  if (channel.kind === "email")
    return `${String(s.from)} → ${Array.isArray(s.to) ? s.to.join(", ") : ""} via ${String(s.host)}:${String(s.port)} (${String(s.security)}${s.username ? `, as ${String(s.username)}` : ""})`;
  if (channel.kind === "webhook") return String(s.url);
  return `incoming webhook${s.username ? `, posting as ${String(s.username)}` : ""}`;
}

function RecentDeliveries({ channelId }: { channelId: string }) {
  const { data } = useQuery({
    queryKey: ["telehub", "channel-deliveries", channelId],
    queryFn: () => listDeliveries({ channelId, limit: RECENT }),
    refetchInterval: 10_000,
  });
  if (!data) return null;
  return data.data.length === 0 ? <Typography variant="body2">Nothing sent yet.</Typography> : <DeliveriesTable deliveries={data.data} />;
}

function ChannelPage() {
  const channel = useRecordContext<ChannelView>();
  const { permissions } = usePermissions();
  if (!channel) return null;
  return (
    <>
      <Title title={`Channel ${channel.name}`} />
      <Actions />
      <Card>
        <CardContent>
          <Stack spacing={1} data-testid="channel-details" data-version={channel.version}>
            <Typography variant="h6">{channel.name}</Typography>
            <DetailLine label="Kind">{`${channel.kind}${channel.enabled ? "" : " (disabled)"}`}</DetailLine>
            <DetailLine label="Sends to">{settingsText(channel)}</DetailLine>
            <DetailLine label="Secrets set">{channel.secretsSet.join(", ") || "none"}</DetailLine>
            <DetailLine label="Severities">{channel.severities.join(", ")}</DetailLine>
            <DetailLine label="On">{channel.on.join(", ") || "nothing (reminders only)"}</DetailLine>
            <DetailLine label="Reminders">
              {channel.repeatIntervalMs > 0 ? `every ${formatDuration(channel.repeatIntervalMs)}` : "never"}
            </DetailLine>
            <DetailLine label="Rate limit">{`${channel.rateLimit.count} messages per ${formatDuration(channel.rateLimit.windowMs)}, then a digest`}</DetailLine>
          </Stack>
          {isAdmin(permissions) && <TestNotificationButton channelId={channel.id} />}
          {canOperate(permissions) && (
            <Box sx={{ mt: 2 }}>
              <Typography variant="h6" gutterBottom>
                Recent deliveries
              </Typography>
              <RecentDeliveries channelId={channel.id} />
            </Box>
          )}
        </CardContent>
      </Card>
    </>
  );
}

/** One channel: where it sends and on what; admins send a test notification, edit and delete it; operators see its deliveries. */
export function ChannelShow() {
  return (
    <ShowBase>
      <ChannelPage />
    </ShowBase>
  );
}
