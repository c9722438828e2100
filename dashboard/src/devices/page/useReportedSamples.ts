import { useMemo } from "react";
import type { DeviceLiveState } from "../device-types";

/**
 * A sample value of every metric the device reported, changing only when a metric appears or
 * changes type (not with every reading), so the charts planned from it keep their identity.
 */
export function useReportedSamples(live: DeviceLiveState | undefined): Record<string, unknown> {
  const values = live?.values ?? {};
  const signature = Object.entries(values)
    .map(([name, entry]) => `${name}:${typeof entry.value}`)
    .sort()
    .join("\n");
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the signature (names and types) changes, on purpose.
  return useMemo(() => Object.fromEntries(Object.entries(values).map(([name, entry]) => [name, entry.value])), [signature]);
}
