import { useEffect, useState } from "react";
import { hubFetch, queryString } from "../../api";

/** Names of the commands this device was sent before (its newest 100), to pick from; asked again when `sent` changes. */
export function useSentCommandNames(deviceId: string, sent: number): string[] {
  const [names, setNames] = useState<string[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `sent` asks for a reload after each send.
  useEffect(() => {
    let cancelled = false;
    hubFetch<{ data: { name: string }[] }>(`/commands${queryString({ deviceId, limit: 100 })}`).then(
      ({ json }) => !cancelled && setNames([...new Set(json.data.map((command) => command.name))].sort()),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [deviceId, sent]);
  return names;
}
