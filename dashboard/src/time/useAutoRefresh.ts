import { useEffect, useState } from "react";

/**
 * A number that grows by one every `periodMs` (0: never): passed as charts' `refreshKey`, it
 * makes them fetch their history again.
 */
export function useAutoRefresh(periodMs: number): number {
  const [refreshKey, setRefreshKey] = useState(0);
  useEffect(() => {
    if (periodMs <= 0) return;
    const timer = setInterval(() => setRefreshKey((key) => key + 1), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return refreshKey;
}
