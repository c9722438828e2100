import { useCallback, useSyncExternalStore } from "react";
import { type PreferencesSource, preferencesSnapshot, subscribePreferences, updatePreference } from "./preferences-store";

/** Where the preferences come from now, and whether they are there yet (`loading`). */
export function usePreferencesSource(): PreferencesSource {
  return useSyncExternalStore(subscribePreferences, () => preferencesSnapshot().source);
}

/**
 * One top-level key of the caller's preferences (stored by the hub per user or key), with a
 * setter that stores it. `read` turns whatever is stored into a `T` (a missing or malformed
 * value into the default): another version of the dashboard may have written it.
 */
export function usePreference<T>(key: string, read: (stored: unknown) => T): [T, (value: T) => void] {
  const stored = useSyncExternalStore(subscribePreferences, () => preferencesSnapshot().preferences[key]);
  const set = useCallback((value: T) => void updatePreference(key, () => value), [key]);
  return [read(stored), set];
}
