import type { FleetProfile } from "./fleet-types";

/** A tile shows at most this many metrics. */
export const MAX_KEY_METRICS = 3;

/** A metric a tile shows, with what formatting it needs. */
export interface KeyMetric {
  name: string;
  label: string;
  unit?: string;
  decimals?: number;
  kind: string;
}

/**
 * The metrics of a profile's tile: those of its charts shown by default, in page order, at most
 * `MAX_KEY_METRICS`. A counter shows its total as the device sent it (a rate needs two readings).
 */
export function keyMetricsOf(profile: FleetProfile | undefined): KeyMetric[] {
  if (!profile) return [];
  const names: string[] = [];
  for (const chart of profile.layout.charts) {
    if (chart.shown === false) continue;
    for (const name of chart.metrics) if (!names.includes(name)) names.push(name);
  }
  return names.slice(0, MAX_KEY_METRICS).map((name) => {
    const metric = profile.metrics.find((candidate) => candidate.name === name);
    return { name, label: metric?.displayName ?? name, unit: metric?.unit, decimals: metric?.decimals, kind: metric?.kind ?? "gauge" };
  });
}
