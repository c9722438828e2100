import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { useListContext } from "react-admin";
import { hubFetch } from "../api";
import { useLive } from "../live/LiveContext";
import type { LiveUpdate } from "../live/live-types";
import type { DeviceLiveState, Latest } from "./device-types";

const FleetLive = createContext<Record<string, DeviceLiveState>>({});

/** Fold a live update into the per-device state (newest device timestamp wins). */
export function applyUpdate(states: Record<string, DeviceLiveState>, update: LiveUpdate, only?: ReadonlySet<string>) {
  let next = states;
  const touch = (deviceId: string): DeviceLiveState => {
    if (next === states) next = { ...states };
    const copy: DeviceLiveState = { ...(next[deviceId] ?? { values: {}, lastReadingAt: null }) };
    copy.values = { ...copy.values };
    next[deviceId] = copy;
    return copy;
  };
  for (const reading of update.telemetry) {
    if (only && !only.has(reading.deviceId)) continue;
    const known = next[reading.deviceId]?.values[reading.metric];
    if (known && known.ts > reading.ts) continue;
    const state = touch(reading.deviceId);
    state.values[reading.metric] = { ts: reading.ts, value: reading.value };
    state.lastReadingAt = Math.max(state.lastReadingAt ?? 0, reading.ts);
  }
  for (const presence of update.presence) {
    if (only && !only.has(presence.deviceId)) continue;
    const state = touch(presence.deviceId);
    state.connected = presence.connected;
    state.presenceAt = presence.at;
  }
  return next;
}

/** State seeded from `GET /devices/:id/latest`. */
export function stateOfLatest(latest: Latest): DeviceLiveState {
  const values: DeviceLiveState["values"] = {};
  for (const entry of latest.data) values[entry.metric] = { ts: entry.ts, value: entry.value };
  return { values, lastReadingAt: latest.lastReadingAt };
}

/**
 * Live state of the devices on the list's current page: their `/latest` once, then the live
 * channel's telemetry for exactly those devices (one topic each) and everyone's presence.
 */
export function FleetLiveProvider({ children }: { children: ReactNode }) {
  const { data } = useListContext();
  const ids = useMemo(() => (data ?? []).map((record) => String(record.id)), [data]);
  const idKey = ids.join(",");
  const [states, setStates] = useState<Record<string, DeviceLiveState>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `idKey` stands for `ids`.
  useEffect(() => {
    let cancelled = false;
    void Promise.all(
      ids.map(async (id) => {
        const { json } = await hubFetch<Latest>(`/devices/${encodeURIComponent(id)}/latest`);
        return [id, stateOfLatest(json)] as const;
      }),
    ).then(
      (entries) => {
        if (cancelled) return;
        setStates((current) => {
          const next = { ...current };
          for (const [id, seeded] of entries) {
            const known = current[id];
            next[id] = known && (known.lastReadingAt ?? 0) >= (seeded.lastReadingAt ?? 0) ? known : { ...known, ...seeded };
          }
          return next;
        });
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [idKey]);
  const visible = useMemo(() => new Set(ids), [ids]);
  const topics = useMemo(() => ["presence:*", ...ids.map((id) => `telemetry:${id}`)], [ids]);
  useLive(topics, (update) => setStates((current) => applyUpdate(current, update, visible)));
  return <FleetLive.Provider value={states}>{children}</FleetLive.Provider>;
}

/** The live state of one device on the list page. */
export function useDeviceLive(id: string): DeviceLiveState | undefined {
  return useContext(FleetLive)[id];
}
