import type { ChannelView } from "@telehub/hub";
import { useGetMany } from "react-admin";

/** The names of the channels `ids` (react-admin's cache, one `GET /notification-channels/:id` per channel not yet in it). */
export function useChannelNames(ids: readonly string[]): ReadonlyMap<string, string> {
  const unique = [...new Set(ids)];
  const { data } = useGetMany<ChannelView>("notification-channels", { ids: unique });
  return new Map((data ?? []).filter(Boolean).map((channel) => [channel.id, channel.name]));
}
