import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { ChannelDefinition, ChannelView } from "@telehub/hub";
import { EditBase, Title, useNotify, useRecordContext, useRedirect } from "react-admin";
import { ChannelAdminOnly } from "./AdminOnly";
import { ChannelForm } from "./ChannelForm";
import { updateChannel } from "./channel-api";
import { TestNotificationButton } from "./TestNotificationButton";

function ChannelEditForm() {
  const channel = useRecordContext<ChannelView>();
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  if (!channel) return null;
  const save = async (definition: ChannelDefinition) => {
    const saved = await updateChannel(channel.id, definition, channel.version);
    await queryClient.invalidateQueries();
    notify(`Channel ${saved.name} saved`, { type: "success" });
    redirect("show", "notification-channels", saved.id);
  };
  return (
    <>
      <Title title={`Edit channel ${channel.name}`} />
      <TestNotificationButton channelId={channel.id} />
      <ChannelForm key={channel.version} channel={channel} save={save} />
    </>
  );
}

/** Edit a channel (admins); the test button sends with the saved settings. */
export function ChannelEdit() {
  return (
    <ChannelAdminOnly>
      <EditBase mutationMode="pessimistic">
        <Card sx={{ mt: 2 }}>
          <CardContent>
            <ChannelEditForm />
          </CardContent>
        </Card>
      </EditBase>
    </ChannelAdminOnly>
  );
}
