import { useCallback } from "react";
import { updatePreference } from "../../preferences/preferences-store";
import { usePreference, usePreferencesSource } from "../../preferences/usePreference";
import { CHART_CHOICES_KEY, type ChartChoice, choiceKeyOf, readChartChoices, withChart } from "./chart-choice";
import type { PlannedChart } from "./chart-plan";

/**
 * The user's chart choice for a profile (or for devices without one), from the preferences, and
 * a setter that stores it. `ready` is false until the preferences are loaded (the page waits
 * rather than flashing the default charts).
 */
export function useChartChoice(profileId: string | null | undefined): {
  choice: ChartChoice | undefined;
  setShown: (chart: PlannedChart, show: boolean) => void;
  ready: boolean;
} {
  const [choices] = usePreference(CHART_CHOICES_KEY, readChartChoices);
  const ready = usePreferencesSource() !== "loading";
  const key = choiceKeyOf(profileId);
  const setShown = useCallback(
    (chart: PlannedChart, show: boolean) =>
      void updatePreference(CHART_CHOICES_KEY, (stored) => {
        const current = readChartChoices(stored);
        return { ...current, [key]: withChart(current[key], chart, show) };
      }),
    [key],
  );
  return { choice: choices[key], setShown, ready };
}
