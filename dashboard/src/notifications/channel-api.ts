import type { ChannelDefinition, ChannelView, NotificationDelivery } from "@telehub/hub";
import { putVersioned } from "../alarm-rules/versioned-save";
import { hubFetch, queryString } from "../api";

const pathOf = (id: string) => `/notification-channels/${encodeURIComponent(id)}`;

/** `POST /notification-channels`: answers the channel as the API shows it (secrets left out). */
export async function createChannel(definition: ChannelDefinition): Promise<ChannelView> {
  return (await hubFetch<ChannelView>("/notification-channels", { method: "POST", body: JSON.stringify(definition) })).json;
}

/** `PUT /notification-channels/:id` with the version being edited; secrets left out are kept by the hub. */
export function updateChannel(id: string, definition: ChannelDefinition, edited: number): Promise<ChannelView> {
  return putVersioned<ChannelView>(pathOf(id), definition, edited, "TH_API_CHANNEL_VERSION_CONFLICT");
}

/** `POST /notification-channels/:id/test`: a test message sent now; answers the delivery after its first attempt. */
export async function sendTest(id: string): Promise<NotificationDelivery> {
  return (await hubFetch<NotificationDelivery>(`${pathOf(id)}/test`, { method: "POST" })).json;
}

/** `GET /notification-deliveries` with filters, newest first. */
export async function listDeliveries(filter: {
  channelId?: string;
  alarmId?: string;
  limit: number;
  offset?: number;
}): Promise<{ data: NotificationDelivery[]; total: number }> {
  const { json } = await hubFetch<{ data: NotificationDelivery[]; total: number }>(`/notification-deliveries${queryString(filter)}`);
  return json;
}
