import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { hubFetch } from "../api";
import { useLive } from "../live/LiveContext";
import type { FleetSummary } from "./fleet-types";

/** The summary is fetched again this often, whatever the live channel says (stale counts move without events). */
export const SUMMARY_REFRESH_MS = 30_000;
/** After a presence event the summary is fetched again this much later, once for a burst of events. */
export const SUMMARY_PRESENCE_DELAY_MS = 500;

const SUMMARY_KEY = ["telehub", "fleet-summary"] as const;
const PRESENCE = ["presence:*"];

/**
 * `GET /fleet/summary`, fetched again every `SUMMARY_REFRESH_MS` and, with `live`, shortly after
 * any device connects or disconnects (the live channel's `presence:*`): the hub counts, the page does not.
 */
export function useFleetSummary({ live = false }: { live?: boolean } = {}): { summary: FleetSummary | undefined; error: unknown } {
  const client = useQueryClient();
  const { data, error } = useQuery({
    queryKey: SUMMARY_KEY,
    queryFn: async () => (await hubFetch<FleetSummary>("/fleet/summary")).json,
    refetchInterval: SUMMARY_REFRESH_MS,
  });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useLive(live ? PRESENCE : [], (update) => {
    if (update.presence.length === 0 || timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void client.invalidateQueries({ queryKey: SUMMARY_KEY });
    }, SUMMARY_PRESENCE_DELAY_MS);
  });
  return { summary: data, error };
}
