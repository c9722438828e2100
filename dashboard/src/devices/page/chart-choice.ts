import type { PlannedChart } from "./chart-plan";

/**
 * What a user changed from a profile's default charts: the titles hidden and shown. Stored per
 * user in the preferences under `deviceCharts[<profile id> or "none"]` (docs/api.md, "Preferences").
 */
export interface ChartChoice {
  hidden: string[];
  shown: string[];
}

/** The preferences key of the choices. */
export const CHART_CHOICES_KEY = "deviceCharts";

/** The key of a device's choice: its profile's id, "none" without a profile. */
export const choiceKeyOf = (profileId: string | null | undefined): string => profileId ?? "none";

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);

/** The stored choices, whatever was stored (another dashboard version may have written the key). */
export function readChartChoices(stored: unknown): Record<string, ChartChoice> {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return {};
  return Object.fromEntries(
    Object.entries(stored as Record<string, unknown>).map(([key, value]) => {
      const choice = (value ?? {}) as Record<string, unknown>;
      return [key, { hidden: strings(choice.hidden), shown: strings(choice.shown) }];
    }),
  );
}

/** Is the chart on the page under the user's choice? */
export function isShown(chart: PlannedChart, choice: ChartChoice | undefined): boolean {
  if (chart.defaultShown) return !choice?.hidden.includes(chart.title);
  return choice?.shown.includes(chart.title) ?? false;
}

/** The choice after showing or hiding one chart: only departures from the default are kept. */
export function withChart(choice: ChartChoice | undefined, chart: PlannedChart, show: boolean): ChartChoice {
  const hidden = (choice?.hidden ?? []).filter((title) => title !== chart.title);
  const shown = (choice?.shown ?? []).filter((title) => title !== chart.title);
  if (chart.defaultShown && !show) hidden.push(chart.title);
  if (!chart.defaultShown && show) shown.push(chart.title);
  return { hidden, shown };
}
