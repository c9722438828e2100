import { useEffect, useRef } from "react";
import { useRefresh } from "react-admin";
import { useLive } from "./LiveContext";
import type { LiveUpdate } from "./live-types";

/**
 * Reload the page's data (react-admin's refresh) when a live update on `topics` is `relevant`,
 * at most once per `intervalMs` (a burst of events costs one reload at its start and one at its end).
 */
export function useLiveRefresh(topics: readonly string[], relevant: (update: LiveUpdate) => boolean, intervalMs = 1_000): void {
  const refresh = useRefresh();
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  useLive(topics, (update) => {
    if (!relevant(update) || pending.current) return;
    const wait = Math.max(0, last.current + intervalMs - Date.now());
    pending.current = setTimeout(() => {
      pending.current = undefined;
      last.current = Date.now();
      refresh();
    }, wait);
  });
}
