import type { DeviceProfile } from "@telehub/hub";
import { type MetricSpec, specForUnprofiled } from "../chart/metric-spec";

/** One chart the device page can show. */
export interface PlannedChart {
  /** Unique on the page; the key of the user's show/hide choice. */
  title: string;
  metrics: MetricSpec[];
  /** Shown unless the user hid it (the profile's `shown`; metrics outside the profile are shown). */
  defaultShown: boolean;
}

const byName = new Intl.Collator("en", { numeric: true }).compare;

/** The profile's metrics as chart specs (in the profile). */
export function profileSpecs(profile: DeviceProfile | undefined): MetricSpec[] {
  return (profile?.metrics ?? []).map((metric) => ({ ...metric, inProfile: true }));
}

/**
 * The device page's charts: the profile's (`layout.charts`, in order), then one chart per metric
 * the device reports that the profile does not list (marked "not in profile", never dropped).
 * Without a profile, one chart per reported metric, in natural order of names, without the marker
 * (there is no profile to be missing from).
 *
 * @param reported a sample value of every metric the device reported (it picks the chart type)
 */
export function planCharts(profile: DeviceProfile | undefined, reported: Record<string, unknown>): PlannedChart[] {
  const names = Object.keys(reported).sort(byName);
  if (!profile)
    return names.map((name) => ({
      title: name,
      metrics: [{ ...specForUnprofiled(name, reported[name]), inProfile: true }],
      defaultShown: true,
    }));
  const specs = new Map(profileSpecs(profile).map((spec): [string, MetricSpec] => [spec.name, spec]));
  const charts: PlannedChart[] = profile.layout.charts.map((chart) => ({
    title: chart.title,
    metrics: chart.metrics.flatMap((name) => specs.get(name) ?? []),
    defaultShown: chart.shown !== false,
  }));
  const titles = new Set(charts.map((chart) => chart.title));
  for (const name of names) {
    if (specs.has(name)) continue;
    const title = titles.has(name) ? `${name} (not in profile)` : name;
    titles.add(title);
    charts.push({ title, metrics: [specForUnprofiled(name, reported[name])], defaultShown: true });
  }
  return charts;
}
