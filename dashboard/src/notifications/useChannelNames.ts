import { useQuery } from "@tanstack/react-query";
import type { ChannelView } from "@telehub/hub";
import { hubFetch } from "../api";

/** The most channels one page lists (the hub's `notifications.maxChannels` default is 100). */
const PAGE = 100;

/** Channel names by id (`GET /notification-channels`, first page), cached for a minute: deliveries name their channel. */
export function useChannelNames(): ReadonlyMap<string, string> {
  const { data } = useQuery({
    queryKey: ["telehub", "channel-names"],
    queryFn: async () => (await hubFetch<{ data: ChannelView[] }>(`/notification-channels?limit=${PAGE}&offset=0`)).json.data,
    staleTime: 60_000,
  });
  return new Map((data ?? []).map((channel) => [channel.id, channel.name]));
}
