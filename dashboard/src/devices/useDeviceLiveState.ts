import { useEffect, useMemo, useState } from "react";
import { hubFetch } from "../api";
import { useLive } from "../live/LiveContext";
import type { DeviceLiveState, Latest } from "./device-types";
import { applyUpdate, stateOfLatest } from "./FleetLiveContext";

/** One device's newest values and presence: seeded from `/latest`, then live. */
export function useDeviceLiveState(deviceId: string): DeviceLiveState | undefined {
  const [states, setStates] = useState<Record<string, DeviceLiveState>>({});
  useEffect(() => {
    if (!deviceId) return;
    let cancelled = false;
    hubFetch<Latest>(`/devices/${encodeURIComponent(deviceId)}/latest`).then(
      ({ json }) => {
        if (!cancelled) setStates((current) => (current[deviceId] ? current : { [deviceId]: stateOfLatest(json) }));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [deviceId]);
  const only = useMemo(() => new Set([deviceId]), [deviceId]);
  useLive(deviceId ? [`telemetry:${deviceId}`, `presence:${deviceId}`] : [], (update) => {
    setStates((current) => applyUpdate(current, update, only));
  });
  return states[deviceId];
}
