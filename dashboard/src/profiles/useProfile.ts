import { useQuery } from "@tanstack/react-query";
import type { DeviceProfile } from "@telehub/hub";
import { HttpError } from "react-admin";
import { hubFetch } from "../api";

/** What {@link useProfile} knows: the profile, or why there is none. */
export interface ProfileAnswer {
  profile: DeviceProfile | undefined;
  /** Still asking the hub. */
  isPending: boolean;
  /** The hub's refusal or a network failure (a missing profile is `profile: undefined` without error). */
  error: Error | undefined;
}

async function fetchProfile(id: string): Promise<DeviceProfile | null> {
  try {
    return (await hubFetch<DeviceProfile>(`/profiles/${encodeURIComponent(id)}`)).json;
  } catch (error) {
    // Deleted since the device got it: the page is laid out as without a profile.
    if (error instanceof HttpError && error.status === 404) return null;
    throw error;
  }
}

/** A profile by id (`GET /profiles/:id`), cached for a minute; none for a null id. */
export function useProfile(id: string | null | undefined): ProfileAnswer {
  const { data, isPending, error } = useQuery({
    queryKey: ["telehub", "profile", id],
    queryFn: () => fetchProfile(id as string),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
  return { profile: data ?? undefined, isPending: Boolean(id) && isPending, error: error ?? undefined };
}
