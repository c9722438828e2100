import { useQuery } from "@tanstack/react-query";
import type { DeviceProfile } from "@telehub/hub";
import { hubFetch } from "../api";
import type { Device } from "../devices/device-types";
import { useProfile } from "../profiles/useProfile";
import type { RuleFormValues } from "./rule-form";

/** How many devices in scope the backtest offers (the first, in the hub's natural order). */
export const SCOPE_DEVICES_SHOWN = 100;

type Scope = Pick<RuleFormValues, "scopeKind" | "deviceId" | "profileId" | "labels">;

function devicesQuery(scope: Scope): string | undefined {
  const search = new URLSearchParams({ limit: String(SCOPE_DEVICES_SHOWN), offset: "0" });
  if (scope.scopeKind === "profile") {
    if (!scope.profileId) return undefined;
    search.set("profileId", scope.profileId);
  } else if (scope.scopeKind === "labels") {
    const labels = Array.isArray(scope.labels) ? {} : (scope.labels ?? {});
    if (Object.keys(labels).length === 0) return undefined;
    for (const [key, value] of Object.entries(labels)) search.append("label", `${key}=${value}`);
  } else return undefined;
  return `/devices?${search}`;
}

async function fetchDevice(id: string): Promise<Device | null> {
  return (await hubFetch<Device>(`/devices/${encodeURIComponent(id)}`).catch(() => undefined))?.json ?? null;
}

/**
 * The devices a rule's scope covers now (its device; the first {@link SCOPE_DEVICES_SHOWN} with
 * its profile or labels) and the profile that describes their metrics: the scope's profile, or
 * the device's. Labels give no profile (the devices may have several).
 */
export function useScopeDevices(scope: Scope): { devices: string[]; profile: DeviceProfile | undefined } {
  const query = devicesQuery(scope);
  const { data: listed } = useQuery({
    queryKey: ["telehub", "rule-scope-devices", query],
    queryFn: async () => (await hubFetch<{ data: Device[] }>(query as string)).json.data,
    enabled: query !== undefined,
    staleTime: 30_000,
  });
  const deviceId = scope.scopeKind === "device" ? scope.deviceId?.trim() : undefined;
  const { data: device } = useQuery({
    queryKey: ["telehub", "rule-scope-device", deviceId],
    queryFn: () => fetchDevice(deviceId as string),
    enabled: Boolean(deviceId),
    staleTime: 30_000,
  });
  const profileId = scope.scopeKind === "profile" ? scope.profileId : scope.scopeKind === "device" ? device?.profileId : undefined;
  const { profile } = useProfile(profileId || undefined);
  const devices = scope.scopeKind === "device" ? (device ? [device.id] : []) : (listed ?? []).map((d) => d.id);
  return { devices, profile };
}
