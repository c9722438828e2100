import { useEffect, useRef } from "react";
import { useRefresh } from "react-admin";
import { useLive, useLiveStatus } from "./LiveContext";

/**
 * Reload the page's data through the API when live updates may have been missed: after the
 * live connection came back, or when the hub says it dropped events for a slow connection.
 */
export function LiveResync() {
  const refresh = useRefresh();
  const status = useLiveStatus();
  const wasOpen = useRef(false);
  useEffect(() => {
    if (status.state !== "open") return;
    if (wasOpen.current) refresh();
    wasOpen.current = true;
  }, [status, refresh]);
  useLive([], (update) => {
    if (update.dropped > 0) refresh();
  });
  return null;
}
