import { Chip } from "@mui/material";
import type { ChannelView } from "@telehub/hub";
import { CreateButton, Datagrid, DateField, FunctionField, List, TextField, TopToolbar, usePermissions } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { formatDuration } from "../charts/format";

function Actions() {
  const { permissions } = usePermissions();
  return <TopToolbar>{isAdmin(permissions) && <CreateButton />}</TopToolbar>;
}

/** Where alarms are sent: each channel's kind, what notifies, reminders and rate limit; admins create and edit them. */
export function ChannelList() {
  return (
    <List actions={<Actions />} perPage={50} empty={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="name" sortable={false} />
        <TextField source="kind" sortable={false} />
        <FunctionField<ChannelView>
          label="State"
          render={(channel) => (
            <Chip size="small" variant={channel.enabled ? "filled" : "outlined"} label={channel.enabled ? "enabled" : "disabled"} />
          )}
        />
        <FunctionField<ChannelView> label="Severities" render={(channel) => channel.severities.join(", ")} />
        <FunctionField<ChannelView> label="On" render={(channel) => channel.on.join(", ") || "–"} />
        <FunctionField<ChannelView>
          label="Reminders"
          render={(channel) => (channel.repeatIntervalMs > 0 ? `every ${formatDuration(channel.repeatIntervalMs)}` : "never")}
        />
        <FunctionField<ChannelView>
          label="Rate limit"
          render={(channel) => `${channel.rateLimit.count} per ${formatDuration(channel.rateLimit.windowMs)}`}
        />
        <DateField source="updatedAt" label="Saved" showTime sortable={false} />
      </Datagrid>
    </List>
  );
}
