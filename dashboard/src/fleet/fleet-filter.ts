import type { FleetState } from "./fleet-types";

/**
 * The filters the fleet overview and the device list share, under the same names as the
 * list's query parameters (`GET /devices?label=key=value&profileId=…&firmware=…&state=…`) and
 * kept in the page URL the way react-admin keeps a list's filter (`?filter={…}`), so a link
 * from the overview opens the list filtered alike.
 */
export interface FleetFilter {
  label?: string;
  profileId?: string;
  firmware?: string;
  state?: FleetState;
  q?: string;
}

/** The states in the order the overview counts them, with their labels. */
export const FLEET_STATES: readonly { id: FleetState; name: string; description: string }[] = [
  { id: "online", name: "Online", description: "connected now" },
  { id: "stale", name: "Stale", description: "online, but the readings stopped (counted in online too)" },
  { id: "offline", name: "Offline", description: "heard from before, not connected now" },
  { id: "never", name: "Never connected", description: "registered, never connected" },
  { id: "revoked", name: "Revoked", description: "token revoked" },
];

const FILTER_KEYS = ["label", "profileId", "firmware", "state", "q"] as const;

/** The filter in a `?filter=` value; unknown keys and non-strings are dropped. */
export function parseFleetFilter(text: string | null): FleetFilter {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const filter: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === "string" && value !== "") filter[key] = value;
  }
  return filter as FleetFilter;
}

/** The filter without its empty entries. */
export function cleanFleetFilter(filter: FleetFilter): FleetFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined && value !== "")) as FleetFilter;
}

/** The device list's route showing the devices that match `filter`. */
export function deviceListPath(filter: FleetFilter): string {
  const clean = cleanFleetFilter(filter);
  return Object.keys(clean).length === 0 ? "/devices" : `/devices?filter=${encodeURIComponent(JSON.stringify(clean))}`;
}
