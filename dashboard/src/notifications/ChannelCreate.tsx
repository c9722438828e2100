import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { ChannelDefinition } from "@telehub/hub";
import { Title, useNotify, useRedirect } from "react-admin";
import { ChannelAdminOnly } from "./AdminOnly";
import { ChannelForm } from "./ChannelForm";
import { createChannel } from "./channel-api";

function ChannelCreatePage() {
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  const save = async (definition: ChannelDefinition) => {
    const channel = await createChannel(definition);
    await queryClient.invalidateQueries();
    notify(`Channel ${channel.name} created: send a test notification to check it`, { type: "success" });
    redirect("show", "notification-channels", channel.id);
  };
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Create notification channel" />
      <CardContent>
        <ChannelForm save={save} />
      </CardContent>
    </Card>
  );
}

/** A new channel (admins); then its page, with the test button. */
export function ChannelCreate() {
  return (
    <ChannelAdminOnly>
      <ChannelCreatePage />
    </ChannelAdminOnly>
  );
}
