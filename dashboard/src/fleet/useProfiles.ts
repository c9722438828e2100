import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { hubFetch, queryString } from "../api";
import type { FleetProfile } from "./fleet-types";

const PAGE = 100;

async function fetchProfiles(): Promise<FleetProfile[]> {
  const profiles: FleetProfile[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { json } = await hubFetch<{ data: FleetProfile[]; total: number }>(`/profiles${queryString({ limit: PAGE, offset })}`);
    profiles.push(...json.data);
    if (json.data.length < PAGE || profiles.length >= json.total) return profiles;
  }
}

/** Every profile by id (`GET /profiles`, all pages), shared by the fleet views and cached for a minute. */
export function useProfiles(): { profiles: ReadonlyMap<string, FleetProfile>; isPending: boolean } {
  const { data, isPending } = useQuery({ queryKey: ["telehub", "profiles"], queryFn: fetchProfiles, staleTime: 60_000 });
  const profiles = useMemo(() => new Map((data ?? []).map((profile) => [profile.id, profile])), [data]);
  return { profiles, isPending };
}
