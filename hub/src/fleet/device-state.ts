import type { DevicePresence } from "../gateway/device-presence.js";
import type { DeviceListQuery } from "../storage/device-repository.js";
import type { ReadingFreshness } from "./reading-freshness.js";

/**
 * A device's state as the fleet views name it. `online`, `offline`, `never` and `revoked` split
 * the fleet (a revoked device is `revoked` whatever else holds); `stale` is the part of `online`
 * whose readings stopped (`live.staleAfterMs`).
 */
export const DEVICE_STATES = ["online", "offline", "stale", "never", "revoked"] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** What the hub knows now that the registry does not: who is connected, whose readings are fresh. */
export interface LiveState {
  presence: DevicePresence;
  freshness: ReadingFreshness;
  now: number;
  staleAfterMs: number;
}

/** Narrow a device list query to the devices in `state` (on top of what it already asks for). */
export function restrictToState(query: DeviceListQuery, state: DeviceState, live: LiveState): void {
  const onlyIds = (ids: readonly string[]) => {
    query.ids = query.ids === undefined ? ids : query.ids.filter((id) => ids.includes(id));
  };
  const revoked = (value: boolean) => {
    // Asked for both revoked and not: nothing matches.
    if (query.revoked !== undefined && query.revoked !== value) query.ids = [];
    query.revoked = value;
  };
  revoked(state === "revoked");
  if (state === "online") onlyIds(live.presence.connectedIds());
  else if (state === "stale") onlyIds(live.freshness.staleIds(live.presence, live.now, live.staleAfterMs));
  else if (state === "offline" || state === "never") {
    query.excludeIds = [...(query.excludeIds ?? []), ...live.presence.connectedIds()];
    query.seen = state === "offline";
  }
}
