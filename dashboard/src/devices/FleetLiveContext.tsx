import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { useListContext } from "react-admin";
import { hubFetch, queryString } from "../api";
import type { FleetLatest } from "../fleet/fleet-types";
import { useLive } from "../live/LiveContext";
import type { LiveUpdate } from "../live/live-types";
import type { DeviceLiveState, Latest } from "./device-types";

const FleetLive = createContext<Record<string, DeviceLiveState>>({});

/** `GET /fleet/latest` takes at most this many ids a call. */
const LATEST_IDS_PER_CALL = 200;

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

/** State seeded from one device's entry of `GET /fleet/latest` (its newest reading among the metrics asked). */
export function stateOfFleetLatest(values: FleetLatest["data"][string] | undefined): DeviceLiveState {
  const entries = Object.values(values ?? {});
  return { values: { ...values }, lastReadingAt: entries.length === 0 ? null : Math.max(...entries.map((entry) => entry.ts)) };
}

/** The devices' newest values, one `GET /fleet/latest` per `LATEST_IDS_PER_CALL` devices (all metrics, or those given). */
async function seedOf(ids: readonly string[], metrics: readonly string[] | undefined): Promise<[string, DeviceLiveState][]> {
  if (metrics?.length === 0) return [];
  const seeded: [string, DeviceLiveState][] = [];
  for (let start = 0; start < ids.length; start += LATEST_IDS_PER_CALL) {
    const chunk = ids.slice(start, start + LATEST_IDS_PER_CALL);
    const { json } = await hubFetch<FleetLatest>(`/fleet/latest${queryString({ ids: chunk.join(","), metrics: metrics?.join(",") })}`);
    for (const id of chunk) seeded.push([id, stateOfFleetLatest(json.data[id])]);
  }
  return seeded;
}

/**
 * Live state of the given devices: their newest values once (one `GET /fleet/latest` for a
 * page: all metrics, or the given `metrics`), then the live channel's telemetry for exactly those
 * devices (one topic each) and everyone's presence.
 */
export function FleetLiveProvider({
  ids,
  metrics,
  children,
}: {
  ids: readonly string[];
  metrics?: readonly string[];
  children: ReactNode;
}) {
  const idKey = ids.join(",");
  const metricKey = metrics?.join(",");
  const [states, setStates] = useState<Record<string, DeviceLiveState>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `idKey` and `metricKey` stand for `ids` and `metrics`.
  useEffect(() => {
    let cancelled = false;
    void seedOf(ids, metrics).then(
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
  }, [idKey, metricKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `idKey` stands for `ids`.
  const visible = useMemo(() => new Set(ids), [idKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `idKey` stands for `ids`.
  const topics = useMemo(() => ["presence:*", ...ids.map((id) => `telemetry:${id}`)], [idKey]);
  useLive(topics, (update) => setStates((current) => applyUpdate(current, update, visible)));
  return <FleetLive.Provider value={states}>{children}</FleetLive.Provider>;
}

/** `FleetLiveProvider` for the devices on a react-admin list's current page. */
export function ListFleetLiveProvider({ children }: { children: ReactNode }) {
  const { data } = useListContext();
  const ids = useMemo(() => (data ?? []).map((record) => String(record.id)), [data]);
  return <FleetLiveProvider ids={ids}>{children}</FleetLiveProvider>;
}

/** The live state of one device under a `FleetLiveProvider`. */
export function useDeviceLive(id: string): DeviceLiveState | undefined {
  return useContext(FleetLive)[id];
}
