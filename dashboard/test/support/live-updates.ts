import type { LiveClient } from "../../src/live/live-client.js";
import type { LiveUpdate } from "../../src/live/live-types.js";

/** Subscribe `client` to `topics` until an update `check` accepts: resolves with it, or rejects after `timeoutMs`. */
export function nextUpdate(
  client: LiveClient,
  topics: string[],
  check: (update: LiveUpdate) => boolean,
  timeoutMs = 5_000,
): Promise<LiveUpdate> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching live update within ${timeoutMs} ms (status ${JSON.stringify(client.currentStatus)})`));
    }, timeoutMs);
    const unsubscribe = client.subscribe(topics, (update) => {
      if (!check(update)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(update);
    });
  });
}

/** An update check: it carries telemetry of device `id`. */
export const fromDevice = (id: string) => (update: LiveUpdate) => update.telemetry.some((value) => value.deviceId === id);
